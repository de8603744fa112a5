// The customer's tracking link: the view of one delivery and the instructions they may edit. Public: the
// token in the address is the credential (backend/tracking/api.py). Shapes as backend/tracking/schemas.py
// sends them; times are ISO 8601 strings in UTC.
import { api, type ApiClient } from "./client";

export interface TimelineEntry {
  status: string;
  at: string;
}

export interface EtaView {
  eta_at: string;
  earliest_at: string;
  latest_at: string;
  /** False: the plan's time (the driver has not set off); true: from the driver's live position. */
  live: boolean;
}

export interface DriverPosition {
  lat: number;
  lon: number;
  heading: number | null;
  at: string;
}

/** The hand-over, once delivered; each photo and the signature at trackingMediaPath(token, sha256). */
export interface DeliveryProofView {
  received_by: string | null;
  delivered_at: string;
  photos: string[];
  signature: string | null;
}

/** A store's opening hours in its local time: {"mon": [["09:00", "21:00"]], ...}; a missing day is closed. */
export type OpeningHours = Record<string, unknown>;

/** An in-store pickup waiting for the customer (only while the order is ready_for_pickup). */
export interface PickupView {
  store_name: string;
  store_address: string;
  store_lat: number;
  store_lon: number;
  opening_hours: OpeningHours;
  /** What the counter asks for; also the QR at pickupQrPath(token). */
  code: string;
  /** Not collected by then: the parcel goes back. */
  expires_at: string | null;
  /** Set once the customer said "I'm here". */
  customer_arrived_at: string | null;
  curbside: boolean;
}

/** On a return's own link: how it comes back and what became of it. */
export interface ReturnInfoView {
  /** "pickup" (a driver collects it) or "store_dropoff". */
  method: string;
  reason: string;
  /** Shown at the store for a drop-off; also the QR at returnQrPath(token). */
  code: string;
  store_name: string | null;
  store_address: string | null;
  dropped_at: string | null;
  received_at: string | null;
  /** restock, repair or dispose, once received. */
  disposition: string | null;
}

export interface TrackingView {
  reference: string;
  organization_name: string;
  kind: string;
  /** created, planned, out_for_delivery, arriving, delivered, failed, cancelled, ... */
  status: string;
  /** First name only. */
  recipient_name: string;
  address: string;
  lat: number;
  lon: number;
  window_start_at: string | null;
  window_end_at: string | null;
  instructions: string | null;
  instructions_editable: boolean;
  timeline: TimelineEntry[];
  eta: EtaView | null;
  /** Deliveries before this one on the driver's route; 0: you are next. */
  stops_away: number | null;
  driver_name: string | null;
  /** Only while this order is the driver's next stop. */
  driver: DriverPosition | null;
  closed_at: string | null;
  link_expires_at: string | null;
  seq: number;
  /** Only once delivered. */
  proof?: DeliveryProofView | null;
  /** Only while an in-store pickup is ready at its store. */
  pickup?: PickupView | null;
  /** Only on a return's own link. */
  return_info?: ReturnInfoView | null;
}

/** The most a customer may write for the driver (backend/tracking/schemas.py, InstructionsUpdate). */
export const MAX_INSTRUCTIONS = 500;

/** 404 tracking-link-not-found, 410 tracking-link-expired, 429 when this address asked too often. */
export function getTracking(token: string, client: ApiClient = api): Promise<TrackingView> {
  return client.get(`/api/track/${encodeURIComponent(token)}`);
}

/** 409 instructions-locked once the order is out for delivery. */
export function updateInstructions(token: string, instructions: string, client: ApiClient = api): Promise<TrackingView> {
  return client.patch(`/api/track/${encodeURIComponent(token)}`, { instructions });
}

/** A delivery photo or signature of this link's order (served only once it is delivered). */
export function trackingMediaPath(token: string, sha256: string): string {
  return `/api/track/${encodeURIComponent(token)}/media/${encodeURIComponent(sha256)}`;
}

/** The pickup code as a QR (SVG) while the order waits at the store; 404 otherwise. */
export function pickupQrPath(token: string): string {
  return `/api/track/${encodeURIComponent(token)}/pickup-qr.svg`;
}

export interface CustomerHere {
  curbside: boolean;
  /** Curbside: where the car is (a spot number, the car's colour); at most 200 characters. */
  parking_note?: string;
  /** Optional: where the customer is; the store is told only how far away that is. */
  lat?: number;
  lon?: number;
}

/** The most a customer may write about where their car is (backend/stores/schemas.py, CustomerHere). */
export const MAX_PARKING_NOTE = 200;

/** "I'm here": the store's screen shows the customer at once. 404 once the pickup is no longer ready. */
export function sayHere(
  token: string,
  here: CustomerHere,
  client: ApiClient = api,
): Promise<{ arrived_at: string; curbside: boolean; distance_m: number | null }> {
  return client.post(`/api/track/${encodeURIComponent(token)}/here`, here);
}

/** The websocket path of a tracking link: a snapshot at once, then position, eta and status frames. */
export function trackingSocketPath(token: string): string {
  return `/ws/track/${encodeURIComponent(token)}`;
}

/** Close codes of /ws/track after which reconnecting cannot help: unknown link, expired link. */
export const TRACKING_FINAL_CLOSE_CODES = [4404, 4410] as const;

/** What the page needs to offer notices (backend/notifications/schemas.py, PushStatus). */
export interface PushStatus {
  /** The server's VAPID public key, base64url: the applicationServerKey to subscribe with. */
  public_key: string;
  /** Whether the endpoint asked about (without one: any browser) gets this order's notices. */
  subscribed: boolean;
  subscriptions: number;
  max_subscriptions: number;
}

function pushPath(token: string): string {
  return `/api/track/${encodeURIComponent(token)}`;
}

/** The VAPID key, and whether this browser's endpoint is subscribed to this order. */
export function getPushStatus(token: string, endpoint?: string, client: ApiClient = api): Promise<PushStatus> {
  const query = endpoint ? `?endpoint=${encodeURIComponent(endpoint)}` : "";
  return client.get(`${pushPath(token)}/push${query}`);
}

/** Keeps a browser's PushSubscription.toJSON() for this order's notices. 409 past the most browsers per order. */
export function subscribePush(
  token: string,
  subscription: PushSubscriptionJSON,
  client: ApiClient = api,
): Promise<{ id: string; endpoint: string; created_at: string }> {
  return client.post(`${pushPath(token)}/push-subscriptions`, subscription);
}

/** No more notices in this browser; 404 when the server no longer had it. */
export function unsubscribePush(token: string, endpoint: string, client: ApiClient = api): Promise<void> {
  return client.delete(`${pushPath(token)}/push-subscriptions?endpoint=${encodeURIComponent(endpoint)}`);
}
