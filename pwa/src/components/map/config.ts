// Where map tiles come from, in one place. OpenStreetMap's own tile servers are for light use only
// (https://operations.osmfoundation.org/policies/tiles/); an installation with many dispatchers sets
// VITE_MAP_TILE_URL (and VITE_MAP_ATTRIBUTION) at build time to its own or a paid tile service.

/** A Leaflet URL template: {z}/{x}/{y}, optionally {s} and {r}. */
export const TILE_URL: string = import.meta.env["VITE_MAP_TILE_URL"] || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/** Shown on every map, always: the tiles' licence requires it. HTML, so it can link the copyright page. */
export const TILE_ATTRIBUTION: string =
  import.meta.env["VITE_MAP_ATTRIBUTION"] ||
  '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>';

/** The tile servers' deepest zoom; closer than this would only stretch tiles. */
export const MAX_ZOOM = 19;
