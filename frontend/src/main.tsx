// Entry: load and validate config.json, then mount the app. A bad config is shown as one
// sentence naming the bad value instead of a blank page.
import { createRoot } from "react-dom/client";
import { loadAppConfig } from "./config/app-config.ts";
import { errorSentence } from "./lib/error-sentence.ts";
import { App } from "./app/App.tsx";
import "./ui/styles.css";

const root = createRoot(document.getElementById("root")!);
loadAppConfig().then(
  (config) => root.render(<App config={config} />),
  (error: unknown) =>
    root.render(
      <main className="boot-error" role="alert">
        <h1>ModelFactory cannot start</h1>
        <p>{errorSentence(error)}</p>
      </main>,
    ),
);
