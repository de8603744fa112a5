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

/** The websocket path of a tracking link: a snapshot at once, then position, eta and status frames. */
export function trackingSocketPath(token: string): string {
  return `/ws/track/${encodeURIComponent(token)}`;
}

/** Close codes of /ws/track after which reconnecting cannot help: unknown link, expired link. */
export const TRACKING_FINAL_CLOSE_CODES = [4404, 4410] as const;
