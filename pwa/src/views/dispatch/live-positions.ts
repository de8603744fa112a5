// The live side of the dispatch map: reading "positions" and "etas" frames, keeping the newest of each,
// and which stops are late. Pure, so the rules are tested.
import type { OrderSummary, Stop } from "../../api/planning";
import type { DriverPosition, RouteEtas, StopEta } from "../../api/positions";

/** A position older than this is drawn faded: the phone may have lost signal, the van has moved on. */
export const STALE_POSITION_MS = 5 * 60 * 1000;

const OPEN_STOP_STATUSES: ReadonlySet<string> = new Set(["pending", "arrived"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const numberOrNull = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** One driver's entry of a "positions" frame (or of GET /api/positions/latest), or null when it is not one. */
export function parsePosition(data: unknown): DriverPosition | null {
  if (!isObject(data)) return null;
  const { driver_id, route_id, lat, lon, at } = data;
  if (typeof driver_id !== "string" || typeof lat !== "number" || typeof lon !== "number" || typeof at !== "string") {
    return null;
  }
  return {
    driver_id,
    route_id: typeof route_id === "string" ? route_id : null,
    lat,
    lon,
    heading: numberOrNull(data["heading"]),
    speed: numberOrNull(data["speed"]),
    accuracy: numberOrNull(data["accuracy"]),
    at,
  };
}

/** A "positions" frame's data (every driver that moved since the last one): the positions it can read. */
export function parsePositions(data: unknown): DriverPosition[] {
  if (!isObject(data) || !Array.isArray(data["positions"])) return [];
  const positions: DriverPosition[] = [];
  for (const entry of data["positions"] as unknown[]) {
    const position = parsePosition(entry);
    if (position) positions.push(position);
  }
  return positions;
}

/** An "etas" frame's data, or null when it is not one; stops it cannot read are left out. */
export function parseEtas(data: unknown): RouteEtas | null {
  if (!isObject(data) || typeof data["route_id"] !== "string" || !Array.isArray(data["stops"])) return null;
  const stops: StopEta[] = [];
  for (const stop of data["stops"] as unknown[]) {
    if (!isObject(stop)) continue;
    const { stop_id, order_id, eta_at, earliest_at, latest_at } = stop;
    if (
      typeof stop_id !== "string" ||
      typeof eta_at !== "string" ||
      typeof earliest_at !== "string" ||
      typeof latest_at !== "string"
    ) {
      continue;
    }
    stops.push({
      stop_id,
      order_id: typeof order_id === "string" ? order_id : "",
      eta_at,
      earliest_at,
      latest_at,
      stops_away: numberOrNull(stop["stops_away"]) ?? 0,
      late: stop["late"] === true,
    });
  }
  return { route_id: data["route_id"], driver_id: typeof data["driver_id"] === "string" ? data["driver_id"] : "", stops };
}

/** The positions with a batch of new ones, in one new map (one redraw); an older fix of a driver (a late frame, a
 * backfill) changes nothing, and a batch that changes nothing returns the same map. */
export function withPositions(
  positions: ReadonlyMap<string, DriverPosition>,
  batch: readonly DriverPosition[],
): ReadonlyMap<string, DriverPosition> {
  let next: Map<string, DriverPosition> | null = null;
  for (const position of batch) {
    const known = (next ?? positions).get(position.driver_id);
    if (known && Date.parse(known.at) > Date.parse(position.at)) continue;
    next ??= new Map(positions);
    next.set(position.driver_id, position);
  }
  return next ?? positions;
}

/** The ETAs with a route's new ones. */
export function withEtas(etas: ReadonlyMap<string, StopEta>, route: RouteEtas): ReadonlyMap<string, StopEta> {
  if (route.stops.length === 0) return etas;
  const next = new Map(etas);
  for (const stop of route.stops) next.set(stop.stop_id, stop);
  return next;
}

/** When the stop is expected: the live frame's ETA if one came, else the route's stored one, else null. */
export function stopEta(stop: Pick<Stop, "id" | "eta_at">, live: ReadonlyMap<string, StopEta>): string | null {
  return live.get(stop.id)?.eta_at ?? stop.eta_at ?? null;
}

/**
 * An open stop is late when the server says so, or when its ETA is after the end of its order's window.
 * A stop done, failed or skipped is late no more; a stop with no ETA or no window is never late.
 */
export function isLate(
  stop: Pick<Stop, "id" | "status" | "eta_at">,
  order: Pick<OrderSummary, "window_end_at"> | undefined,
  live: ReadonlyMap<string, StopEta>,
): boolean {
  if (!OPEN_STOP_STATUSES.has(stop.status)) return false;
  if (live.get(stop.id)?.late) return true;
  const eta = stopEta(stop, live);
  if (!eta || !order?.window_end_at) return false;
  return Date.parse(eta) > Date.parse(order.window_end_at);
}

export function isStale(position: Pick<DriverPosition, "at">, now: Date): boolean {
  return now.getTime() - Date.parse(position.at) > STALE_POSITION_MS;
}
