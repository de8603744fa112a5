// The entry point: mounts the app (the shell, or the screen the path names) and registers the service worker.
import { render } from "preact";
import { registerServiceWorker } from "./offline/sw-bridge";
import "./theme.css";
import { App } from "./views/App";

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");
render(<App />, root);
registerServiceWorker();
