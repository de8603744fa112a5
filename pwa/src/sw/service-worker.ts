// The service worker: precaches the built shell so the app opens offline, and waits for the
// user's OK (a SKIP_WAITING message from offline/sw-bridge.ts) before replacing an older version.
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

precacheAndRoute(self.__WB_MANIFEST); // the list vite-plugin-pwa writes in at build time
cleanupOutdatedCaches();

// Paths the server answers itself. Navigating to them never gets the app shell, so offline they
// fail honestly instead of showing a page that cannot work.
const SERVER_PATHS = [/^\/api(\/|$)/, /^\/ws(\/|$)/, /^\/schema(\/|$)/, /^\/health(\/|$)/, /^\/metrics(\/|$)/];

// Every other navigation (/, /driver, /track/<token>, ...) is a screen of this single-page app.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: SERVER_PATHS }));

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (data && typeof data === "object" && (data as { type?: unknown }).type === "SKIP_WAITING") {
    void self.skipWaiting();
  }
});

// Take control at the first install (there is no older version to disturb). For an update this
// runs only once the new worker activates, which is after the user's OK or after every tab closed.
clientsClaim();
