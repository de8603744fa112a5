// Pure helpers about a route's stops, shared by the map and the stop table so both number alike.
import type { LineString, Route, Stop } from "../../api/planning";

export interface NumberedStop {
  stop: Stop;
  /** 1, 2, 3... for the stops that serve an order, in driving order; null for start, end and breaks. */
  number: number | null;
}

export function numberStops(stops: readonly Stop[]): NumberedStop[] {
  let number = 0;
  return [...stops]
    .sort((a, b) => a.sequence - b.sequence)
    .map((stop) => ({ stop, number: stop.order_id === null ? null : ++number }));
}

/** The route's street line as Leaflet wants it ([lat, lon]); straight between its stops if it has none. */
export function routeLine(route: Pick<Route, "geometry" | "stops">): Array<[number, number]> {
  const geometry = route.geometry;
  if (geometry && geometry.type === "LineString" && Array.isArray(geometry.coordinates)) {
    const points = (geometry as LineString).coordinates
      .filter((point) => Array.isArray(point) && Number.isFinite(point[0]) && Number.isFinite(point[1]))
      .map(([lon, lat]): [number, number] => [lat, lon]);
    if (points.length >= 2) return points;
  }
  return [...route.stops]
    .sort((a, b) => a.sequence - b.sequence)
    .filter((s) => s.kind !== "break")
    .map((s): [number, number] => [s.lat, s.lon]);
}

/** When the route leaves the depot and when it is back: [first departure, last arrival], ISO or null. */
export function routeSpan(stops: readonly Stop[]): [string | null, string | null] {
  const sorted = [...stops].sort((a, b) => a.sequence - b.sequence);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return [first?.planned_departure_at ?? first?.planned_arrival_at ?? null, last?.planned_arrival_at ?? null];
}

/** Text safe to put in Leaflet's HTML tooltips. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
