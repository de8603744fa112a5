// The entry point: mounts the shell and registers the service worker.
import { render } from "preact";
import { registerServiceWorker } from "./offline/sw-bridge";
import "./theme.css";
import { Shell } from "./views/shell/Shell";

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");
render(<Shell />, root);
registerServiceWorker();
