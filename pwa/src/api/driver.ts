// The driver's day and its offline sync: GET /api/driver/day, PUT /api/media/{sha256}, POST /api/sync and
// POST /api/positions (the contract of issue 5). Worker-safe: the service worker replays the outbox with it too.
import { api, type ApiClient } from "./client";

/** How long a sync or a day download may take before it counts as no answer. */
export const REQUEST_TIMEOUT_MS = 20_000;

export type DriverRouteStatus =
  | "draft"
  | "published"
  | "superseded"
  | "in_progress"
  | "completed"
  | "withdrawn"
  | (string & {});

export type DriverStopKind = "start" | "pickup" | "delivery" | "end" | "break" | (string & {});

export type DriverStopStatus = "pending" | "arrived" | "completed" | "failed" | "skipped" | "cancelled" | (string & {});

/** A stop as GET /api/driver/day sends it (backend/routing/schemas.py, Stop); times are ISO 8601 UTC. */
export interface DriverStop {
  id: string;
  sequence: number;
  kind: DriverStopKind;
  status: DriverStopStatus;
  order_id: string | null;
  lat: number;
  lon: number;
  planned_arrival_at: string | null;
  planned_departure_at: string | null;
  arrived_at: string | null;
  completed_at: string | null;
  departed_at: string | null;
  eta_at: string | null;
  eta_earliest_at: string | null;
  eta_latest_at: string | null;
}

export interface DriverRoute {
  id: string;
  vehicle_id: string;
  driver_id: string | null;
  service_date: string;
  status: DriverRouteStatus;
  plan_revision: number;
  distance_m: number;
  duration_s: number;
  /** A GeoJSON LineString along the streets, or null. */
  geometry: { type: string; coordinates: unknown } | null;
  started_at: string | null;
  completed_at: string | null;
  stops: DriverStop[];
}

export interface DriverParcel {
  barcode: string;
}

export interface DriverOrder {
  id: string;
  kind: "delivery" | "return" | (string & {});
  /** The order's lifecycle status (backend/orders/models.py, OrderStatus). */
  status: string;
  reference: string | null;
  recipient_name: string;
  recipient_phone: string | null;
  address: string;
  lat: number;
  lon: number;
  window_start_at: string | null;
  window_end_at: string | null;
  /** The customer's delivery instructions. */
  notes: string | null;
  parcels: DriverParcel[];
  /** Ask for the recipient's photo ID before handing over (age-restricted or high-value goods). */
  id_check_required?: boolean;
}

export interface Depot {
  name: string;
  address: string;
  lat: number;
  lon: number;
}

/** What the driver app needs for the day, offline included. */
export interface DriverDay {
  route: DriverRoute;
  orders: DriverOrder[];
  depot: Depot | null;
  server_time: string;
}

export type CommandType =
  | "route.start"
  | "route.finish"
  | "stop.arrive"
  | "stop.deliver"
  | "stop.fail"
  | "stop.collect_return"
  | "parcel.scan";

/** One command as POST /api/sync takes it; `id` is its idempotency key, made on the device. */
export interface SyncCommand {
  id: string;
  type: CommandType;
  route_id: string;
  stop_id: string | null;
  order_id: string | null;
  /** The device's clock when the driver did it, ISO 8601 with an offset. */
  occurred_at: string;
  payload: Record<string, unknown>;
}

export type SyncOutcome = "applied" | "duplicate" | "rejected" | "retry";

export interface SyncResult {
  id: string;
  outcome: SyncOutcome;
  /** rejected: stop_cancelled, reassigned, stop_closed, route_closed, not_found, invalid, key_reused; retry: media_missing. */
  reason: string | null;
  /** A plain sentence for the driver. */
  message: string | null;
}

export interface SyncResponse {
  results: SyncResult[];
  server_time: string;
}

export interface MediaStored {
  sha256: string;
  content_type: string;
  size: number;
  width: number;
  height: number;
}

/** One fix as the Geolocation API gives it (backend/tracking/ingest.py, PointIn). */
export interface PositionPoint {
  lat: number;
  lon: number;
  /** The device's time of the fix, ISO 8601. */
  at: string;
  /** Metres (68 % radius). */
  accuracy: number | null;
  /** Metres per second. */
  speed: number | null;
  /** Degrees clockwise from north. */
  heading: number | null;
}

export interface PositionsResult {
  accepted: number;
  stored_only: number;
  rejected: Array<{ index: number; reason: string }>;
}

/** The most commands one POST /api/sync takes, and one POST /api/positions' points. */
export const MAX_SYNC_COMMANDS = 100;
export const MAX_POSITION_POINTS = 1_000;
/** The server's limit of an uploaded image, and the types it takes. */
export const MAX_MEDIA_BYTES = 8 * 1024 * 1024;
export const MEDIA_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp"];

/** The driver's live route with its orders, or null (204) when there is none. */
export async function fetchDay(client: ApiClient = api): Promise<DriverDay | null> {
  const day = await client.get<DriverDay | undefined>("/api/driver/day", { timeoutMs: REQUEST_TIMEOUT_MS });
  return day ?? null;
}

/** Uploads one image under its SHA-256 (lowercase hex of exactly these bytes); 200 and 201 both mean stored. */
export function putMedia(sha256: string, blob: Blob, client: ApiClient = api): Promise<MediaStored> {
  // A slow uplink needs longer for a large photo: 20 s plus 1 s per 64 KiB (8 MiB: about 2.5 min).
  const timeoutMs = REQUEST_TIMEOUT_MS + Math.ceil(blob.size / 65_536) * 1_000;
  return client.upload(
    "PUT",
    `/api/media/${encodeURIComponent(sha256)}`,
    { data: blob, contentType: blob.type || "application/octet-stream" },
    { timeoutMs },
  );
}

/** Sends 1..100 commands; the answer has one result per command, in the same order. */
export function postSync(commands: SyncCommand[], client: ApiClient = api): Promise<SyncResponse> {
  return client.post("/api/sync", { commands }, { timeoutMs: REQUEST_TIMEOUT_MS });
}

/** Backfills up to 1,000 positions buffered while the socket was down. */
export function postPositions(points: PositionPoint[], client: ApiClient = api): Promise<PositionsResult> {
  return client.post("/api/positions", { points }, { timeoutMs: REQUEST_TIMEOUT_MS });
}
