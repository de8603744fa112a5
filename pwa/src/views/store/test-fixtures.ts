// A pickup and a return as the server sends them, for the store screens' tests.
import type { Pickup, Return } from "../../api/store";

export function pickup(overrides: Partial<Pickup> = {}): Pickup {
  return {
    order_id: "0190a8f0-0000-7000-8000-000000000001",
    reference: "SHOP-1001",
    status: "ready_for_pickup",
    recipient_name: "Aino Virtanen",
    recipient_phone: null,
    shelf: "B-04",
    code: "ACD347",
    parcels: ["PK-1", "PK-2"],
    scanned: ["PK-1", "PK-2"],
    ready_at: "2026-11-24T08:14:00Z",
    expires_at: "2026-12-01T08:14:00Z",
    customer_arrived_at: null,
    curbside: false,
    parking_note: null,
    handed_over_at: null,
    id_check_required: false,
    customer_distance_m: null,
    ...overrides,
  };
}

export function taken(overrides: Partial<Return> = {}): Return {
  return {
    return_order_id: "0190a8f0-0000-7000-8000-0000000000r1",
    original_order_id: "0190a8f0-0000-7000-8000-000000000001",
    status: "collected",
    method: "store_dropoff",
    reason: "damaged",
    comment: null,
    items: { parcels: ["PK-1"], skus: [] },
    photos: [],
    code: "XKM4TP",
    store_id: "store-1",
    dropped_at: "2026-11-26T10:00:00Z",
    received_at: null,
    received_location_id: null,
    disposition: null,
    ...overrides,
  };
}
