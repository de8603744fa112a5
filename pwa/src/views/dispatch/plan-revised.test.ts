import { describe, expect, it } from "vitest";
import { newlyUnassigned, parsePlanRevised, revisedReasonText, revisedText } from "./plan-revised";

const PAYLOAD = {
  service_date: "2026-11-25",
  revision: 3,
  reason: "order created",
  diff: { added: ["o9"], removed: [], moved: [], reordered: ["v1"], churn: 0, eta_changes: 3 },
  eta_changes: 3,
  routes: [],
};

describe("parsePlanRevised", () => {
  it("takes the counts from the server's diff", () => {
    expect(parsePlanRevised("p1", PAYLOAD)).toEqual({
      planId: "p1",
      revision: 3,
      reason: "order created",
      added: 1,
      removed: 0,
      moved: 0,
      etaChanges: 3,
    });
  });

  it("reads nothing from a payload without a diff", () => {
    expect(parsePlanRevised("p1", { reason: "order_added" })).toBeNull();
  });
});

describe("revisedText", () => {
  const base = { planId: "p", revision: 1, added: 0, removed: 0, moved: 0, etaChanges: 0 };

  it("says why in plain words, with the counts", () => {
    expect(revisedText({ ...base, reason: "order created", added: 1, etaChanges: 3 })).toBe(
      "New order placed: +1 stop, 3 ETAs changed",
    );
    expect(revisedText({ ...base, reason: "order status_changed", removed: 1, etaChanges: 1 })).toBe(
      "Order cancelled: −1 stop, 1 ETA changed",
    );
    expect(revisedText({ ...base, reason: "re-optimized", moved: 2 })).toBe(
      "Re-optimized: saved travel: 2 stops moved to another vehicle",
    );
    expect(revisedText({ ...base, reason: "route.withdrawn", moved: 0, added: 3 })).toBe("Route withdrawn: +3 stops");
  });

  it("names an order that could not be placed as new, not placed", () => {
    expect(revisedText({ ...base, reason: "order created" })).toBe("New order not placed");
  });

  it("joins the reasons of a burst, and words an unknown one", () => {
    expect(revisedReasonText({ ...base, reason: "order created; order status_changed", added: 1, removed: 1 })).toBe(
      "New order placed and order cancelled",
    );
    expect(revisedReasonText({ ...base, reason: "vehicle.broke_down" })).toBe("Vehicle broke down");
    expect(revisedReasonText({ ...base, reason: "" })).toBe("Plan changed");
  });
});

describe("newlyUnassigned", () => {
  it("lists the orders left out now that were not before, with the reason in words", () => {
    const before = [{ order_id: "piano", reason: "capacity", detail: "Too big" }];
    const after = [...before, { order_id: "o9", reason: "fleet_full", detail: "The vehicles are full" }];
    expect(newlyUnassigned(before, after)).toEqual([
      { orderId: "o9", reason: "fleet_full", reasonText: "Vehicles are full", detail: "The vehicles are full" },
    ]);
    expect(newlyUnassigned(after, before)).toEqual([]);
  });
});
