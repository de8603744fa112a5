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

  it("carries the server's account of a live amendment, and keeps every one of a burst", () => {
    const payload = { service_date: "2026-11-25", revision: 2, reason: "order created", diff: { added: ["o"] }, eta_changes: 1 };
    const refresh = refreshFor({ ...event("plan.revised", payload), subject_id: "p1" }, "2026-11-25");
    expect(refresh?.revisions).toEqual([
      { planId: "p1", revision: 2, reason: "order created", added: 1, removed: 0, moved: 0, etaChanges: 1 },
    ]);
    const merged = mergeRefresh(refresh, refresh ?? { plans: true, orders: true });
    expect(merged.revisions).toHaveLength(2);
  });

  it("names the route event that set a reload off", () => {
    const refresh = refreshFor(event("route.withdrawn", { service_date: "2026-11-25", reason: "van broke" }), "2026-11-25");
    expect(refresh?.cause).toBe("route.withdrawn");
    expect(mergeRefresh(refresh, { plans: true, orders: true }).cause).toBe("route.withdrawn");
  });

  it("reloads only the route of a stop event: a driver arrived, left or finished a stop", () => {
    const arrived = { ...event("stop.arrived", { stop_id: "s1" }), subject_type: "route", subject_id: "r1" };
    expect(refreshFor(arrived, "2026-11-25")).toEqual({ plans: false, orders: false, routes: ["r1"] });
    const completed = { ...event("stop.completed"), subject_type: "route", subject_id: "r2" };
    const merged = mergeRefresh(refreshFor(arrived, "2026-11-25"), refreshFor(completed, "2026-11-25")!);
    expect(merged.routes).toEqual(["r1", "r2"]);
    expect(mergeRefresh(merged, { plans: true, orders: true }).routes).toEqual(["r1", "r2"]);
  });

  it("reloads the plans when a route starts or completes", () => {
    expect(refreshFor(event("route.started", { service_date: "2026-11-25" }), "2026-11-25")).toMatchObject({
      plans: true,
      cause: "route.started",
    });
    expect(refreshFor(event("route.completed"), "2026-11-25")).toMatchObject({ plans: true, cause: "route.completed" });
  });
});
