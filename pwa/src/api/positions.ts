// Where the drivers are and when they will reach their stops, as the dispatch map follows them: the last
// position of each (GET /api/positions/latest), then "positions" (every 2 s, each driver that moved) and "etas"
// frames on /ws/dispatch.
// Shapes as backend/tracking/schemas.py and backend/tracking/live.py send them.
import { api, type ApiClient } from "./client";

export interface DriverPosition {
  driver_id: string;
  /** The route being driven, when the driver is on one. */
  route_id: string | null;
  lat: number;
  lon: number;
  /** Degrees clockwise from north, when the phone said. */
  heading: number | null;
  /** Metres per second. */
  speed: number | null;
  /** Metres (68 % radius). */
  accuracy: number | null;
  at: string;
}

export interface StopEta {
  stop_id: string;
  order_id: string;
  eta_at: string;
  earliest_at: string;
  latest_at: string;
  stops_away: number;
  /** The ETA is after the end of the order's time window. */
  late: boolean;
}

/** A route's ETAs, recomputed from its driver's position (all of its open stops at once). */
export interface RouteEtas {
  route_id: string;
  driver_id: string;
  stops: StopEta[];
}

/** Every driver of the organization heard from in the last hour (staff only). */
export function latestPositions(client: ApiClient = api): Promise<DriverPosition[]> {
  return client.get("/api/positions/latest");
}
