// Leaflet for every map of the app: its stylesheet, and its default marker icons served from our own
// build (Vite renames the PNGs, so Leaflet's guess of their path from the CSS fails). Import L from here.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import markerIcon2x from "leaflet/dist/images/marker-icon-2x.png";
import markerIcon from "leaflet/dist/images/marker-icon.png";
import markerShadow from "leaflet/dist/images/marker-shadow.png";
import { MAX_ZOOM, TILE_ATTRIBUTION, TILE_URL } from "./config";

delete (L.Icon.Default.prototype as { _getIconUrl?: unknown })._getIconUrl;
L.Icon.Default.mergeOptions({ iconRetinaUrl: markerIcon2x, iconUrl: markerIcon, shadowUrl: markerShadow });

/** The tile layer every map uses; tiles that fail to load (offline) leave the rest of the map working. */
export function baseTiles(): L.TileLayer {
  return L.tileLayer(TILE_URL, { maxZoom: MAX_ZOOM, attribution: TILE_ATTRIBUTION });
}

export { L };
