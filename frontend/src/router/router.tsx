// A small history-API router: path patterns with :params, links, navigation and query
// strings. Each route's component is lazy, so every screen is its own chunk.
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type ComponentType,
  type MouseEvent,
  type ReactNode,
} from "react";

export type Route = { path: string; component: ComponentType; title: string };
export type Match = { route: Route; params: Record<string, string> };

const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

/** Goes to `to` (path + query) without reloading. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.scrollTo?.(0, 0);
  for (const l of listeners) l();
}

/** Matches a pathname against a pattern such as `/datanets/:id`. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const a = pattern.split("/").filter(Boolean);
  const b = pathname.split("/").filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const v = b[i]!;
    if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return null;
  }
  return params;
}

const MatchContext = createContext<Match | null>(null);

export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot, () => "/");
  return useMemo(() => {
    const url = new URL(href, "http://x");
    return { pathname: url.pathname, search: url.searchParams };
  }, [href]);
}

export function useParams(): Record<string, string> {
  return useContext(MatchContext)?.params ?? {};
}

/** Reads and writes one query-string parameter. */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const { pathname, search } = useLocation();
  const value = search.get(name) ?? "";
  const set = (next: string) => {
    const s = new URLSearchParams(search);
    if (next) s.set(name, next);
    else s.delete(name);
    const q = s.toString();
    navigate(pathname + (q ? `?${q}` : ""), { replace: true });
  };
  return [value, set];
}

export function Router({
  routes,
  notFound: NotFound,
  children,
}: {
  routes: Route[];
  notFound: ComponentType;
  children: (page: ReactNode) => ReactNode;
}) {
  const { pathname } = useLocation();
  const match = useMemo<Match | null>(() => {
    for (const route of routes) {
      const params = matchPath(route.path, pathname);
      if (params) return { route, params };
    }
    return null;
  }, [routes, pathname]);
  useEffect(() => {
    document.title = match ? `${match.route.title} · ModelFactory` : "Not found · ModelFactory";
  }, [match]);
  const Page = match?.route.component ?? NotFound;
  return <MatchContext.Provider value={match}>{children(<Page />)}</MatchContext.Provider>;
}

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href">) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={to} onClick={onClick}>
      {children}
    </a>
  );
}
