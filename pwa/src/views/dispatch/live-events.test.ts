import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../../api/live";
import { mergeRefresh, refreshFor } from "./live-events";

function event(type: string, payload: Record<string, unknown> = {}): LiveEvent {
  return { id: "e", type, subject_type: type.split(".")[0] ?? "", subject_id: "x", payload, actor: "user:1", occurred_at: "" };
}

describe("refreshFor", () => {
  it("reloads the plans on a plan event of the day shown, and the orders too when it was revised", () => {
    expect(refreshFor(event("plan.created", { service_date: "2026-11-25" }), "2026-11-25")).toEqual({
      plans: true,
      orders: false,
    });
    expect(
      refreshFor(event("plan.revised", { service_date: "2026-11-25", reason: "order_added" }), "2026-11-25"),
    ).toEqual({ plans: true, orders: true, reason: "order_added" });
  });

  it("ignores plan events of other days and events of other domains", () => {
    expect(refreshFor(event("plan.published", { service_date: "2026-11-26" }), "2026-11-25")).toBeNull();
    expect(refreshFor(event("vehicle.updated"), "2026-11-25")).toBeNull();
  });

  it("reloads everything on an order event: orders have no day, and a live plan may change for them", () => {
    expect(refreshFor(event("order.created"), "2026-11-25")).toEqual({ plans: true, orders: true });
  });

  it("merges a burst of events into one reload", () => {
    const merged = mergeRefresh({ plans: true, orders: false }, { plans: false, orders: true, reason: "order_cancelled" });
    expect(merged).toEqual({ plans: true, orders: true, reason: "order_cancelled" });
    expect(mergeRefresh(null, { plans: true, orders: false })).toEqual({ plans: true, orders: false });
  });
});
