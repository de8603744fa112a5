// The map tiles the service worker keeps: the last ones seen, bounded by count and age, so the day's
// map still shows streets offline. Any XYZ tile server (components/map/config.ts may name another).
import type { WorkboxPlugin } from "workbox-core";

export const TILE_CACHE = "doorstep-map-tiles";
/** About 2,000 tiles of 20-50 KB: a city's streets at the zooms a driver uses, up to 100 MB at worst. */
export const MAX_TILES = 2_000;
export const MAX_TILE_AGE_S = 14 * 24 * 60 * 60;

/** .../{z}/{x}/{y}.png (or @2x, jpg, webp), with or without a query: the shape of every XYZ tile URL. */
const TILE_PATH = /\/\d{1,2}\/\d{1,7}\/\d{1,7}(@2x)?\.(png|jpe?g|webp)$/i;

/** Whether a request is a map tile (an image from any origin, but never one of our own /api answers). */
export function isMapTile(url: URL, destination: string, origin: string): boolean {
  if (destination !== "image" && destination !== "") return false;
  if (url.origin === origin && /^\/(api|ws)\//.test(url.pathname)) return false;
  return TILE_PATH.test(url.pathname);
}

/**
 * Fetches tiles in CORS mode (tile servers send Access-Control-Allow-Origin) so that a readable answer is
 * cached: an opaque one would count as megabytes of quota each. Only good answers are kept; a server
 * without CORS still gets its tile shown, uncached.
 */
export const corsTiles: WorkboxPlugin = {
  requestWillFetch: async ({ request }) =>
    request.mode === "no-cors" ? new Request(request.url, { mode: "cors", credentials: "omit" }) : request,
  cacheWillUpdate: async ({ response }) => (response.ok && response.type !== "opaque" ? response : null),
  handlerDidError: async ({ request }) => fetch(request).catch(() => Response.error()),
};
