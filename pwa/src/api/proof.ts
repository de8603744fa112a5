// Proof of delivery records for the office (backend/proof/api.py): an order's proofs, and the proofs the
// server kept from drivers' actions it refused (a stop cancelled or moved while the phone was offline).
import { api, type ApiClient } from "./client";

export interface Proof {
  id: string;
  order_id: string | null;
  route_id: string | null;
  stop_id: string | null;
  driver_id: string | null;
  kind: "delivered" | "failed" | "return_collected" | (string & {});
  /** accepted, or conflict: refused by the server, kept for the dispatcher. */
  status: "accepted" | "conflict" | (string & {});
  conflict_reason: string | null;
  recipient_name: string | null;
  reason: string | null;
  note: string | null;
  photos: string[];
  signature: string | null;
  barcode: string | null;
  condition: string | null;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  /** The phone's clock. */
  occurred_at: string;
  /** The server's. */
  recorded_at: string;
}

export interface RecentProof {
  proof: Proof;
  order_reference: string | null;
  /** The order's recipient; proof.recipient_name is who actually took the parcel. */
  recipient_name: string | null;
  address: string | null;
}

export function listRecentProofs(limit = 20, client: ApiClient = api): Promise<RecentProof[]> {
  return client.get(`/api/proofs?limit=${limit}`);
}

export function listConflicts(client: ApiClient = api): Promise<Proof[]> {
  return client.get("/api/proofs/conflicts");
}

export function orderProofs(orderId: string, client: ApiClient = api): Promise<Proof[]> {
  return client.get(`/api/orders/${encodeURIComponent(orderId)}/proofs`);
}

/** Where a stored photo or signature is served to signed-in staff. */
export function mediaPath(sha256: string): string {
  return `/api/media/${encodeURIComponent(sha256)}`;
}
