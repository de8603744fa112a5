// The entry point: mounts the app (the shell, or the screen the path names) and registers the service worker.
import { render } from "preact";
import { registerServiceWorker } from "./offline/sw-bridge";
import "./theme.css";
import { App } from "./views/App";
import { trackToken } from "./views/track/route";

const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");
render(<App />, root);
// Not for a customer opening a tracking link: installing the worker precaches every screen's code, the
// dispatcher's and the driver's included, and a tracking page is live anyway, nothing to open offline.
// A tracking page registers only its own push worker (/track-push-worker.js, scope /track/<token>), and
// only when the customer turns notifications on (views/track/push.ts).
if (trackToken(location.pathname) === null) registerServiceWorker();
