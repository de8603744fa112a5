// Marker icons shared by the maps: a driver (a van in a disc, an arrow for the heading when the phone
// gives one, an optional name under it) and a customer's destination. HTML icons, styled in markers.css.
import { L } from "./leaflet";
import "./markers.css";

const VAN_SVG =
  '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">' +
  '<path fill="currentColor" d="M2 6.5A1.5 1.5 0 0 1 3.5 5h10A1.5 1.5 0 0 1 15 6.5V8h3.2a1.5 1.5 0 0 1 1.2.6l2.3 3.1a1.5 1.5 0 0 1 .3.9V16a1 1 0 0 1-1 1h-1.1a2.5 2.5 0 0 1-4.8 0H9.9a2.5 2.5 0 0 1-4.8 0H3a1 1 0 0 1-1-1z"/>' +
  '<circle cx="7.5" cy="17" r="1.6" fill="#fff"/><circle cx="17.5" cy="17" r="1.6" fill="#fff"/></svg>';

const HOME_SVG =
  '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
  '<path fill="currentColor" d="M12 3.2 2.5 11h2.7v9h5.3v-5.5h3V20h5.3v-9h2.7z"/></svg>';

/** Text safe inside an icon's HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface DriverIconOptions {
  /** Degrees clockwise from north, or null when the phone did not say. */
  heading: number | null;
  /** The disc's colour (a route's colour on the dispatch map); the brand colour otherwise. */
  colour?: string;
  /** Shown under the disc ("Van A"); none on the customer's map. */
  label?: string;
  /** Faded: the position is old. */
  stale?: boolean;
}

/** A driver's marker icon. Anchored at the disc's centre, which is where the driver is. */
export function driverIcon(options: DriverIconOptions): L.DivIcon {
  const heading =
    options.heading === null || !Number.isFinite(options.heading)
      ? ""
      : `<span class="driver-heading" style="transform: rotate(${Math.round(options.heading)}deg)"></span>`;
  const colour = options.colour ? ` style="background:${escapeHtml(options.colour)}"` : "";
  const label = options.label ? `<span class="driver-label">${escapeHtml(options.label)}</span>` : "";
  return L.divIcon({
    className: options.stale ? "driver-marker driver-marker-stale" : "driver-marker",
    html: `${heading}<span class="driver-disc"${colour}>${VAN_SVG}</span>${label}`,
    iconSize: [36, 36],
    iconAnchor: [18, 18],
  });
}

/** Where the parcel goes: a house in a pin, its point at the address. */
export function destinationIcon(): L.DivIcon {
  return L.divIcon({
    className: "destination-marker",
    html: `<span class="destination-pin">${HOME_SVG}</span>`,
    iconSize: [34, 42],
    iconAnchor: [17, 42],
  });
}
