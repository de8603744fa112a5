// The carrier's own view (backend/carriers/api.py): the orders shippers gave this carrier organization, with only
// what delivering them needs, and its status updates, each under an Idempotency-Key. Proof photos are uploaded
// first with PUT /api/media/{sha256}, as the driver app does; the server copies them to the shipper.
import { api, type ApiClient } from "./client";
import { MAX_MEDIA_BYTES, MEDIA_TYPES, putMedia } from "./driver";
import { sha256Hex } from "./sha256";

/** How long a carrier request may take before it counts as no answer (and may be retried with its key). */
export const CARRIER_TIMEOUT_MS = 20_000;
/** The server's page size limit; the list is read page by page up to MAX_ORDERS. */
const PAGE = 200;
export const MAX_ORDERS = 2_000;
/** Photos one update takes (backend/carriers/schemas.py MAX_PHOTOS). */
export const MAX_PHOTOS = 3;

/** An order as its carrier sees it (CarrierOrder); times are ISO 8601 UTC. */
export interface CarrierOrder {
  id: string;
  /** The shipper's organization name. */
  shipper: string;
  /** The shipper's reference, when it gave one. */
  reference: string | null;
  kind: string;
  /** created, planned, out_for_delivery, delivered, failed, cancelled... */
  status: string;
  recipient_name: string;
  recipient_phone: string | null;
  address: string;
  lat: number;
  lon: number;
  window_start_at: string | null;
  window_end_at: string | null;
  weight_kg: number;
  parcel_count: number;
  /** Every parcel's barcode. */
  parcels: string[];
  notes: string | null;
  /** The recipient must show photo ID at the door. */
  id_check_required: boolean;
}

interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type FailureCode = "not_home" | "no_access" | "refused" | "damaged" | "wrong_address" | "other";

/** The body of POST /api/carrier/orders/{id}/status (StatusUpdate). */
export type StatusUpdate =
  | { status: "picked_up"; occurred_at: string; note?: string }
  | { status: "delivered"; occurred_at: string; recipient_name: string; note?: string; photos?: string[] }
  | { status: "failed"; occurred_at: string; reason: FailureCode; note?: string; photos?: string[] };

/** StatusApplied: the order's state now; replayed when it is the stored answer of an earlier try with the key. */
export interface StatusApplied {
  order_id: string;
  status: string;
  replayed: boolean;
}

/** Every order given to this carrier (page by page, at most MAX_ORDERS), and how many there are in all. */
export async function fetchCarrierOrders(client: ApiClient = api): Promise<{ orders: CarrierOrder[]; total: number }> {
  const orders: CarrierOrder[] = [];
  let total = 0;
  do {
    const page = await client.get<Page<CarrierOrder>>(`/api/carrier/orders?limit=${PAGE}&offset=${orders.length}`, {
      timeoutMs: CARRIER_TIMEOUT_MS,
    });
    total = page.total;
    orders.push(...page.items);
    if (page.items.length === 0) break;
  } while (orders.length < total && orders.length < MAX_ORDERS);
  return { orders, total };
}

/** Sends one update under its Idempotency-Key: the same key again answers the first result, never a second. */
export function postStatus(
  orderId: string,
  update: StatusUpdate,
  idempotencyKey: string,
  client: ApiClient = api,
): Promise<StatusApplied> {
  return client.post(`/api/carrier/orders/${encodeURIComponent(orderId)}/status`, update, {
    timeoutMs: CARRIER_TIMEOUT_MS,
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

/** An image the server would refuse (type or size); nothing was sent. */
export class PhotoRefused extends Error {
  override readonly name = "PhotoRefused";
}

/** Uploads a proof photo under its SHA-256 (again is harmless); returns the hash the update names. */
export async function uploadPhoto(photo: Blob, client: ApiClient = api): Promise<string> {
  const type = photo.type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!MEDIA_TYPES.includes(type)) throw new PhotoRefused("Only JPEG, PNG or WebP photos can be sent.");
  if (photo.size > MAX_MEDIA_BYTES) throw new PhotoRefused("This photo is larger than 8 MB: take it again smaller.");
  const sha256 = await sha256Hex(await photo.arrayBuffer());
  await putMedia(sha256, photo, client);
  return sha256;
}
