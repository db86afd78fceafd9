// Providers (config, react-query, wagmi, RainbowKit, toasts) around the layout and router.
import { useMemo, useState, Suspense } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RainbowKitProvider, lightTheme } from "@rainbow-me/rainbowkit";
import { WagmiProvider } from "wagmi";
import "@rainbow-me/rainbowkit/styles.css";
import type { AppConfig } from "../config/app-config.ts";
import { ConfigProvider } from "../config/context.tsx";
import { Router } from "../router/router.tsx";
import { ToastProvider } from "../ui/toasts.tsx";
import { Loading } from "../ui/states.tsx";
import { createWagmiConfig } from "../wallet/wagmi-config.ts";
import { Layout } from "./Layout.tsx";
import { NotFound } from "./NotFound.tsx";
import { routes } from "./routes.ts";

export function App({ config }: { config: AppConfig }) {
  const wagmiConfig = useMemo(() => createWagmiConfig(config), [config]);
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 2_000 } } }),
  );
  return (
    <ConfigProvider config={config}>
      <WagmiProvider config={wagmiConfig}>
        <QueryClientProvider client={queryClient}>
          <RainbowKitProvider theme={lightTheme({ accentColor: "#2f5bea", borderRadius: "medium" })} initialChain={wagmiConfig.chains[0]}>
            <ToastProvider>
              <Router routes={routes} notFound={NotFound}>
                {(page) => (
                  <Layout>
                    <Suspense fallback={<Loading label="Loading page…" />}>{page}</Suspense>
                  </Layout>
                )}
              </Router>
            </ToastProvider>
          </RainbowKitProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </ConfigProvider>
  );
}
