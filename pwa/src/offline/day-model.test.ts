import { describe, expect, it } from "vitest";
import type { Command, LocalDay } from "./db";
import { applyCommand, describeChange, mergeDay, workStops } from "./day-model";
import { makeDay, ROUTE_ID } from "./test-fixtures";

function local(stopIds: string[]): LocalDay {
  return { ...makeDay(stopIds, { status: "published" }), local: { scanned: {}, collected: {} } };
}

let seq = 0;
function command(type: Command["type"], stop_id: string | null, payload: Record<string, unknown> = {}): Command {
  seq++;
  return {
    seq,
    id: `c${seq}`,
    type,
    route_id: ROUTE_ID,
    stop_id,
    order_id: stop_id ? `order-${stop_id}` : null,
    occurred_at: `2025-06-02T09:00:0${seq % 10}Z`,
    payload,
    media: [],
  };
}

describe("applyCommand", () => {
  it("starts and finishes the route", () => {
    const started = applyCommand(local(["a"]), command("route.start", null));
    expect(started.route.status).toBe("in_progress");
    expect(started.route.started_at).not.toBeNull();
    expect(applyCommand(started, command("route.finish", null)).route.status).toBe("completed");
  });

  it("arrives, then delivers a stop, marking its order delivered and the parcels scanned at the stop", () => {
    let day = applyCommand(local(["a", "b"]), command("stop.arrive", "a"));
    expect(day.route.stops.find((s) => s.id === "a")?.status).toBe("arrived");
    day = applyCommand(day, command("stop.deliver", "a", { recipient_name: "Ada", scanned: ["P-a"] }));
    const stop = day.route.stops.find((s) => s.id === "a");
    expect(stop?.status).toBe("completed");
    expect(stop?.completed_at).not.toBeNull();
    expect(day.orders.find((o) => o.id === "order-a")?.status).toBe("delivered");
    expect(day.local.scanned["P-a"]).toMatchObject({ stage: "stop", stop_id: "a" });
    expect(day.route.stops.find((s) => s.id === "b")?.status).toBe("pending");
  });

  it("fails a stop and records loading scans and collected returns", () => {
    let day = applyCommand(local(["a"]), command("stop.fail", "a", { reason: "not_home" }));
    expect(day.route.stops.find((s) => s.id === "a")?.status).toBe("failed");
    expect(day.orders[0]?.status).toBe("failed");
    day = applyCommand(day, command("parcel.scan", null, { barcode: "X1", stage: "loading" }));
    day = applyCommand(day, command("stop.collect_return", "a", { barcode: "R1", condition: "damaged" }));
    expect(day.local.scanned["X1"]?.stage).toBe("loading");
    expect(day.local.collected["R1"]?.condition).toBe("damaged");
  });

  it("leaves the day of another route alone", () => {
    const day = local(["a"]);
    expect(applyCommand(day, { ...command("route.start", null), route_id: "other" })).toBe(day);
  });
});

describe("mergeDay", () => {
  it("re-applies the actions still waiting on the server's fresh day and keeps the route's marks", () => {
    const before = applyCommand(local(["a", "b"]), command("parcel.scan", null, { barcode: "X1", stage: "loading" }));
    const waiting = command("stop.deliver", "a", { recipient_name: "Ada" });
    const merged = mergeDay(makeDay(["a", "b"]), before, [waiting]);
    expect(merged.route.stops.find((s) => s.id === "a")?.status).toBe("completed");
    expect(merged.local.scanned["X1"]).toBeDefined();
  });

  it("starts with no marks on another route", () => {
    const before = applyCommand(local(["a"]), command("parcel.scan", null, { barcode: "X1", stage: "loading" }));
    expect(mergeDay(makeDay(["a"], { routeId: "other" }), before, []).local.scanned).toEqual({});
  });
});

describe("describeChange", () => {
  it("is null when only times changed", () => {
    const after = makeDay(["a", "b"]);
    after.route.stops = after.route.stops.map((s) => ({ ...s, eta_at: "2025-06-02T10:00:00Z" }));
    expect(describeChange(makeDay(["a", "b"]), after)).toBeNull();
  });

  it("counts added, cancelled and removed stops and says where the order changed", () => {
    const before = makeDay(["a", "b", "c", "d", "e", "f", "g"]);
    // g went to another driver, x and y came in, b was cancelled, e and f swapped
    const after = makeDay(["a", "b", "c", "d", "f", "e", "x", "y"]);
    after.route.stops = after.route.stops.map((s) => (s.id === "b" ? { ...s, status: "cancelled" } : s));
    expect(describeChange(before, after)).toBe("2 stops added, 1 cancelled, 1 taken off your route, order changed after stop 4");
  });

  it("notices a new address and a completely new route", () => {
    const before = makeDay(["a", "b"]);
    const moved = makeDay(["a", "b"]);
    moved.orders = moved.orders.map((o) => (o.id === "order-b" ? { ...o, address: "Elsewhere 1" } : o));
    expect(describeChange(before, moved)).toBe("1 stop with a new address");
    expect(describeChange(before, makeDay(["q"], { routeId: "new" }))).toBe("New route: 1 stop");
  });

  it("says the order changed from the next stop when the first open stop moved", () => {
    expect(describeChange(makeDay(["a", "b", "c"]), makeDay(["b", "a", "c"]))).toBe("Stop order changed");
  });

  it("ignores stops already closed", () => {
    const before = makeDay(["a", "b"]);
    before.route.stops = before.route.stops.map((s) => (s.id === "a" ? { ...s, status: "completed" } : s));
    const after = makeDay(["b"]);
    expect(describeChange(before, after)).toBeNull();
    expect(workStops(after.route).map((s) => s.id)).toEqual(["b"]);
  });
});
