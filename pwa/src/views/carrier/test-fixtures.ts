// An order as GET /api/carrier/orders gives it, for the carrier screen's tests.
import type { CarrierOrder } from "../../api/carrier";

let next = 1;

export function carrierOrder(overrides: Partial<CarrierOrder> = {}): CarrierOrder {
  const n = next++;
  return {
    id: `0192f0c4-0000-7000-8000-${String(n).padStart(12, "0")}`,
    shipper: "Doorstep Demo Helsinki",
    reference: `DEMO-${String(60 + n).padStart(4, "0")}`,
    kind: "delivery",
    status: "created",
    recipient_name: "Aino Virtanen",
    recipient_phone: "+358401234567",
    address: "Mannerheimintie 1, 00100 Helsinki",
    lat: 60.1699,
    lon: 24.9384,
    window_start_at: "2026-11-27T07:00:00Z",
    window_end_at: "2026-11-27T10:00:00Z",
    weight_kg: 3.4,
    parcel_count: 1,
    parcels: [`DS${String(60 + n).padStart(6, "0")}`],
    notes: null,
    id_check_required: false,
    ...overrides,
  };
}
