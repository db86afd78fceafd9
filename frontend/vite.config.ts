// Vite build of the GUI. `config.json` (the runtime configuration) is served by the dev and
// preview servers from the environment and the deployment file, and emitted into dist/.
import path from "node:path";
import react from "@vitejs/plugin-react";
import type { Plugin, Connect } from "vite";
import { defineConfig } from "vitest/config";
import { buildRuntimeConfig } from "./scripts/runtime-config.ts";

function runtimeConfig(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (!req.url || !req.url.startsWith("/config.json")) return next();
    try {
      const body = JSON.stringify(buildRuntimeConfig(), null, 2);
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Cache-Control", "no-store");
      res.end(body);
    } catch (error) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: (error as Error).message }));
    }
  };
  return {
    name: "modelfactory-runtime-config",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      try {
        this.emitFile({ type: "asset", fileName: "config.json", source: JSON.stringify(buildRuntimeConfig(), null, 2) });
      } catch (error) {
        this.warn(`config.json not emitted: ${(error as Error).message}`);
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), runtimeConfig()],
  resolve: { alias: { "@sdk": path.resolve(import.meta.dirname, "../sdk/src") } },
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [path.resolve(import.meta.dirname, "..")] } },
  preview: { host: "127.0.0.1", port: 4173 },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 800 },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
  },
});
