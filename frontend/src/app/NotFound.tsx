import { Link } from "../router/router.tsx";

export function NotFound() {
  return (
    <section className="state state-empty">
      <h1>Page not found</h1>
      <p>
        <Link to="/datanets">Browse Datanets</Link>
      </p>
    </section>
  );
}
