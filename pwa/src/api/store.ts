// The store counter's endpoints (backend/stores/api.py, backend/returns/api.py): the caller's stores, parcels
// scanned in to a shelf, the pickup lists, a customer's code looked up and handed over, returns taken in and
// received. Refusals come back as ApiError with the server's own `detail` sentence.
import { api, type ApiClient } from "./client";
import { putMedia } from "./driver";
import { sha256Hex } from "./sha256";

/** How long a counter request may take before it counts as no answer: a customer is waiting. */
export const STORE_TIMEOUT_MS = 15_000;

/** A store the caller works at (StoreView). */
export interface Store {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  /** {"mon": [["09:00", "21:00"]], ...}, local times; a missing day is closed. */
  opening_hours: Record<string, unknown>;
}

/** A store pickup as the counter sees it (PickupView); times are ISO 8601 UTC. */
export interface Pickup {
  order_id: string;
  reference: string;
  /** The order's status: at_store (parcels missing), ready_for_pickup, picked_up, expired... */
  status: string;
  recipient_name: string;
  recipient_phone: string | null;
  shelf: string | null;
  /** The customer's six-character code (their QR says "DOORSTEP-PICKUP:<code>"). */
  code: string;
  /** Every parcel's barcode, and those scanned in at the store. */
  parcels: string[];
  scanned: string[];
  ready_at: string | null;
  expires_at: string | null;
  customer_arrived_at: string | null;
  curbside: boolean;
  parking_note: string | null;
  handed_over_at: string | null;
  /** The recipient must show photo ID: the counter will not hand over without the clerk confirming it. */
  id_check_required: boolean;
  /** How far away the customer was when they said "I'm here", when they shared their position. */
  customer_distance_m: number | null;
}

/** waiting: ready on the shelf, oldest first; arrived: the customer said "I'm here"; overdue: past expiry. */
export type PickupList = "waiting" | "arrived" | "overdue" | "all";

export type Disposition = "restock" | "repair" | "dispose";

/** A return as the counter sees it (ReturnView). */
export interface Return {
  return_order_id: string;
  original_order_id: string;
  /** The return order's status: scheduled, collected (taken in), received, restocked, disposed... */
  status: string;
  method: "pickup" | "store_dropoff" | (string & {});
  reason: string;
  comment: string | null;
  /** {"parcels": ["PK-1"], "skus": [{"sku": "MUG-1", "quantity": 2}]} */
  items: { parcels?: string[]; skus?: Array<{ sku: string; quantity: number }> };
  photos: string[];
  code: string;
  store_id: string | null;
  dropped_at: string | null;
  received_at: string | null;
  received_location_id: string | null;
  disposition: Disposition | null;
  /** The return order's reference and the customer's name (for the receiving desk's list). */
  reference?: string | null;
  recipient_name?: string | null;
  created_at?: string | null;
}

/** to_receive: collected or dropped off, not decided; on_the_way: requested or scheduled; decided: last week. */
export type ReturnList = "to_receive" | "on_the_way" | "decided";

/** The receiving desk's lists (the office sees every return; store staff their stores' drop-offs). */
export function listReturns(which: ReturnList, client: ApiClient = api): Promise<Return[]> {
  return client.get(`/api/returns?which=${which}`, options);
}

export interface HandoverInput {
  /** The code the customer showed (or the one from the waiting list). */
  code: string;
  recipientName: string;
  /** SHA-256 of the signature PNG, uploaded first (uploadSignature). */
  signature: string | null;
  idChecked: boolean;
}

const options = { timeoutMs: STORE_TIMEOUT_MS };

function storePath(storeId: string, rest = ""): string {
  return `/api/stores/${encodeURIComponent(storeId)}${rest}`;
}

/** The stores the caller works at (every store of the organization for the office), by name. */
export function fetchStores(client: ApiClient = api): Promise<Store[]> {
  return client.get("/api/stores", options);
}

/** A parcel arrived: it goes on the shelf; the answer says whether the order is now ready (all parcels in). */
export function scanIn(storeId: string, barcode: string, shelf: string, client: ApiClient = api): Promise<Pickup> {
  return client.post(storePath(storeId, "/scan-in"), { barcode, shelf }, options);
}

export function fetchPickups(storeId: string, list: PickupList, client: ApiClient = api): Promise<Pickup[]> {
  return client.get(storePath(storeId, `/pickups?list=${list}`), options);
}

/** The pickup behind a customer's code (the QR's text or the typed code); 404 unknown, 409 used or not ready. */
export function lookupPickup(storeId: string, code: string, client: ApiClient = api): Promise<Pickup> {
  return client.post(storePath(storeId, "/pickups/lookup"), { code }, options);
}

export function handOver(
  storeId: string,
  orderId: string,
  input: HandoverInput,
  client: ApiClient = api,
): Promise<Pickup> {
  return client.post(
    storePath(storeId, `/pickups/${encodeURIComponent(orderId)}/handover`),
    {
      code: input.code,
      recipient_name: input.recipientName,
      signature: input.signature,
      id_checked: input.idChecked,
    },
    options,
  );
}

/** Uploads the signature PNG under its SHA-256 and returns the hash for the hand-over. */
export async function uploadSignature(png: Blob, client: ApiClient = api): Promise<string> {
  const sha256 = await sha256Hex(await png.arrayBuffer());
  await putMedia(sha256, png, client);
  return sha256;
}

/** A customer drops a return off: its code (QR "DOORSTEP-RETURN:<code>", or typed); the return is collected. */
export function intakeReturn(storeId: string, code: string, client: ApiClient = api): Promise<Return> {
  return client.post(storePath(storeId, "/returns/intake"), { code }, options);
}

/** The return is decided here: restock (back in this store's stock), repair or dispose. */
export function receiveReturn(
  returnOrderId: string,
  locationId: string,
  disposition: Disposition,
  client: ApiClient = api,
): Promise<Return> {
  return client.post(
    `/api/returns/${encodeURIComponent(returnOrderId)}/receive`,
    { location_id: locationId, disposition },
    options,
  );
}
