import { describe, expect, it } from "vitest";
import type { Proof } from "../../api/proof";
import { conflictText } from "./ConflictsPanel";

function proof(overrides: Partial<Proof>): Proof {
  return {
    id: "p1", order_id: "o1", route_id: "r1", stop_id: "s1", driver_id: "d1", kind: "delivered", status: "conflict",
    conflict_reason: "stop_cancelled", recipient_name: null, reason: null, note: null, photos: [], signature: null,
    barcode: null, condition: null, lat: null, lon: null, accuracy_m: null,
    occurred_at: "2026-11-26T08:00:00Z", recorded_at: "2026-11-26T09:00:00Z", ...overrides,
  };
}

describe("conflictText", () => {
  it("says what the driver did and why the server refused it", () => {
    expect(conflictText(proof({ recipient_name: "Aino" }))).toBe("Delivered to Aino, but the stop had been cancelled.");
    expect(conflictText(proof({ kind: "failed", conflict_reason: "reassigned" }))).toBe(
      "Failed attempt, but the stop had moved to another driver.",
    );
  });

  it("falls back to the raw codes it does not know", () => {
    expect(conflictText(proof({ kind: "teleported", conflict_reason: "gremlins" }))).toBe("teleported, but gremlins.");
  });
});
