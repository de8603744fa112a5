// A customer's return, through the tracking link of a delivered order (backend/returns/api.py): what may come
// back and how, the photo, the start; then the return's own link and its QR. Public: the token is the key.
import { api, type ApiClient } from "./client";
import type { OpeningHours } from "./tracking";

export interface ReturnItem {
  sku: string;
  quantity: number;
}

/** A store the return may be brought to, nearest the delivery address first. */
export interface StoreOption {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  distance_m: number;
  /** By the store's hours in the shop's time zone, when the options were read. */
  open_now: boolean;
  opening_hours: OpeningHours;
}

export interface ReturnOptions {
  returnable: boolean;
  /** Why not, in the server's words, when it is not returnable. */
  why_not: string | null;
  /** Barcodes of the order's parcels. */
  parcels: string[];
  items: ReturnItem[];
  /** damaged, wrong_item, not_as_described, no_longer_needed, other. */
  reasons: string[];
  stores: StoreOption[];
}

export type ReturnMethod = "pickup" | "store_dropoff";

export interface ReturnStart {
  method: ReturnMethod;
  reason: string;
  parcels: string[];
  items: ReturnItem[];
  comment?: string;
  /** SHA-256 of photos put first with putReturnPhoto. */
  photos: string[];
  /** A drop-off: the store. */
  store_id?: string;
  /** A driver pickup: when they may come, ISO 8601 with the customer's UTC offset. */
  window_start_at?: string;
  window_end_at?: string;
}

export interface ReturnCreated {
  return_order_id: string;
  /** The return's own page: its status and, for a drop-off, the code and QR. */
  tracking_url: string;
  code: string;
  method: ReturnMethod;
  store_name: string | null;
}

/** The most the customer may write, and the photos a return keeps (backend/returns/schemas.py, ReturnStart). */
export const MAX_RETURN_COMMENT = 500;
export const MAX_RETURN_PHOTOS = 3;

const base = (token: string) => `/api/track/${encodeURIComponent(token)}`;

export function getReturnOptions(token: string, client: ApiClient = api): Promise<ReturnOptions> {
  return client.get(`${base(token)}/return-options`);
}

/** A JPEG, PNG or WebP photo under the SHA-256 of its bytes (201 new, 200 already there). */
export function putReturnPhoto(token: string, sha256: string, photo: Blob, client: ApiClient = api): Promise<unknown> {
  return client.upload("PUT", `${base(token)}/media/${encodeURIComponent(sha256)}`, {
    data: photo,
    contentType: photo.type || "image/jpeg",
  });
}

/** 400 for a choice the order does not have, 409 when it may not be returned (already started, too late). */
export function startReturn(token: string, start: ReturnStart, client: ApiClient = api): Promise<ReturnCreated> {
  return client.post(`${base(token)}/returns`, start);
}

/** The return's QR for the store counter, on the return's own link. */
export function returnQrPath(token: string): string {
  return `${base(token)}/return-qr.svg`;
}
