import { describe, expect, it } from "vitest";
import type { Proof, RecentProof } from "../../api/proof";
import { proofText } from "./ProofsPanel";

function item(proof: Partial<Proof>, recipient: string | null = "Aino Virtanen"): RecentProof {
  return {
    proof: {
      id: "p1", order_id: "o1", route_id: "r1", stop_id: "s1", driver_id: "d1", kind: "delivered", status: "accepted",
      conflict_reason: null, recipient_name: null, reason: null, note: null, photos: [], signature: null, barcode: null,
      condition: null, lat: null, lon: null, accuracy_m: null, occurred_at: "2026-11-26T08:00:00Z",
      recorded_at: "2026-11-26T08:00:05Z", ...proof,
    },
    order_reference: "REF-1",
    recipient_name: recipient,
    address: "Mannerheimintie 1",
  };
}

describe("proofText", () => {
  it("says who took the parcel when it was not the recipient", () => {
    expect(proofText(item({ recipient_name: "Aino Virtanen" }))).toBe("Delivered: Aino Virtanen");
    expect(proofText(item({ recipient_name: "Neighbour Nieminen" }))).toBe(
      "Delivered: Aino Virtanen (taken by Neighbour Nieminen)",
    );
  });

  it("words failures, returns and counter pickups", () => {
    expect(proofText(item({ kind: "failed", reason: "not_home" }))).toBe("Failed at Aino Virtanen: nobody home");
    expect(proofText(item({ kind: "return_collected" }))).toBe("Return collected from Aino Virtanen");
    expect(proofText(item({ kind: "picked_up", recipient_name: "Aino Virtanen" }))).toBe("Picked up: Aino Virtanen");
    expect(proofText(item({ kind: "failed", reason: null }, null))).toBe(
      "Failed at an order no longer on file: no reason",
    );
  });
});
