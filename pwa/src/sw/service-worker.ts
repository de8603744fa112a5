// The service worker: precaches the built shell so the app opens offline, keeps the last map tiles seen,
// replays the driver's outbox at Background Sync, and waits for the user's OK (a SKIP_WAITING message
// from offline/sw-bridge.ts) before replacing an older version.
import { clientsClaim, type WorkboxPlugin } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst } from "workbox-strategies";
import { currentUser } from "../api/auth";
import { createApiClient } from "../api/client";
import { replayExclusive, SYNC_MESSAGE, SYNC_TAG } from "../offline/replay";
import { corsTiles, isMapTile, MAX_TILE_AGE_S, MAX_TILES, TILE_CACHE } from "./tiles";

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

precacheAndRoute(self.__WB_MANIFEST); // the list vite-plugin-pwa writes in at build time
cleanupOutdatedCaches();

// Paths the server answers itself. Navigating to them never gets the app shell, so offline they
// fail honestly instead of showing a page that cannot work.
const SERVER_PATHS = [/^\/api(\/|$)/, /^\/ws(\/|$)/, /^\/schema(\/|$)/, /^\/health(\/|$)/, /^\/metrics(\/|$)/];

// Every other navigation (/, /driver, /track/<token>, ...) is a screen of this single-page app.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: SERVER_PATHS }));

// Map tiles: from the cache when there, else the network (then kept); the oldest go past 2,000 or 14 days.
registerRoute(
  ({ request, url }) => isMapTile(url, request.destination, self.location.origin),
  new CacheFirst({
    cacheName: TILE_CACHE,
    plugins: [
      corsTiles,
      // Workbox's own class has optional members typed without `| undefined` (exactOptionalPropertyTypes).
      new ExpirationPlugin({ maxEntries: MAX_TILES, maxAgeSeconds: MAX_TILE_AGE_S, purgeOnQuotaError: true }) as WorkboxPlugin,
    ],
  }),
);

/** Background Sync's event (Chromium only; lib.webworker does not describe it). */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}

/**
 * The browser is online again with actions waiting. A page on screen replays them itself (it shows the
 * progress); otherwise the worker does, with a CSRF token of its own. A failed replay rejects, so the
 * browser tries again later; the page replays at its next start anyway (Safari and Firefox have no sync).
 */
async function replayInWorker(): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const onScreen = windows.filter((client) => client.visibilityState === "visible");
  if (onScreen.length > 0) {
    for (const client of onScreen) client.postMessage({ type: SYNC_MESSAGE });
    return;
  }
  const client = createApiClient();
  if ((await currentUser(client)) === null) return; // signed out: the actions wait for the next sign-in
  const report = await replayExclusive({ client });
  if (report.outcome === "offline" || report.outcome === "server-error") {
    throw new Error(`The outbox replay stopped: ${report.error ?? report.outcome}`);
  }
}

self.addEventListener("sync", (event: Event) => {
  const sync = event as SyncEvent;
  if (sync.tag === SYNC_TAG) sync.waitUntil(replayInWorker());
});

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (data && typeof data === "object" && (data as { type?: unknown }).type === "SKIP_WAITING") {
    void self.skipWaiting();
  }
});

// Take control at the first install (there is no older version to disturb). For an update this
// runs only once the new worker activates, which is after the user's OK or after every tab closed.
clientsClaim();
