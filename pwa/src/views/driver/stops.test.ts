import { describe, expect, it } from "vitest";
import type { DriverDay, DriverOrder, DriverStop } from "../../api/driver";
import {
  canFinish,
  changedStops,
  checkAtStop,
  checkLoadScan,
  expectedAt,
  loadList,
  nextOpenStop,
  progress,
  routeLine,
  routeStops,
  stopRole,
} from "./stops";

function stop(sequence: number, kind: string, orderId: string | null, status = "pending"): DriverStop {
  return {
    id: `s${sequence}`,
    sequence,
    kind,
    status,
    order_id: orderId,
    lat: 60 + sequence / 100,
    lon: 24,
    planned_arrival_at: `2026-11-25T08:${String(sequence).padStart(2, "0")}:00Z`,
    planned_departure_at: null,
    arrived_at: null,
    completed_at: null,
    departed_at: null,
    eta_at: null,
    eta_earliest_at: null,
    eta_latest_at: null,
  };
}

function order(id: string, kind: string, barcodes: string[], name = `Name ${id}`): DriverOrder {
  return {
    id,
    kind,
    status: "out_for_delivery",
    reference: null,
    recipient_name: name,
    recipient_phone: null,
    address: `${id} Street 1`,
    lat: 60,
    lon: 24,
    window_start_at: null,
    window_end_at: null,
    notes: null,
    parcels: barcodes.map((barcode) => ({ barcode })),
  };
}

/** Depot, A (delivery), R (return pickup), F (depot fetch of F), F (delivery), R (drop at depot), end. */
function day(statuses: Record<number, string> = {}): Pick<DriverDay, "route" | "orders"> {
  const stops = [
    stop(0, "start", null),
    stop(1, "delivery", "A", statuses[1]),
    stop(2, "pickup", "R", statuses[2]),
    stop(3, "pickup", "F", statuses[3]),
    stop(4, "delivery", "F", statuses[4]),
    stop(5, "delivery", "R", statuses[5]),
    stop(6, "end", null),
  ];
  return {
    route: {
      id: "r1",
      vehicle_id: "v",
      driver_id: "d",
      service_date: "2026-11-25",
      status: "in_progress",
      plan_revision: 1,
      distance_m: 0,
      duration_s: 0,
      geometry: null,
      started_at: null,
      completed_at: null,
      stops: [...stops].reverse(),
    },
    orders: [
      order("A", "delivery", ["A1", "A2"], "Anna"),
      order("R", "return", ["R1"], "Rami"),
      order("F", "delivery", ["F1"], "Fia"),
    ],
  };
}

describe("routeStops", () => {
  it("numbers the stops that serve an order in driving order, as dispatch does", () => {
    const stops = routeStops(day());
    expect(stops.map((s) => [s.stop.sequence, s.number])).toEqual([
      [0, null],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
      [6, null],
    ]);
  });

  it("tells what each stop is for from the stop's kind and its order's", () => {
    expect(routeStops(day()).map((s) => s.role)).toEqual([
      "depot-start",
      "handover",
      "return-pickup",
      "depot-fetch",
      "handover",
      "return-drop",
      "depot-end",
    ]);
    expect(stopRole({ kind: "break" }, null)).toBe("break");
  });
});

describe("nextOpenStop and progress", () => {
  it("finds the first open stop after the closed ones", () => {
    const stops = routeStops(day({ 1: "completed", 2: "failed" }));
    expect(nextOpenStop(stops)?.number).toBe(3);
    expect(progress(stops)).toEqual({ done: 2, total: 5 });
  });

  it("counts an arrived stop as the next one", () => {
    expect(nextOpenStop(routeStops(day({ 1: "arrived" })))?.number).toBe(1);
  });

  it("has no next stop, and lets the route finish, once all are closed", () => {
    const stops = routeStops(day({ 1: "completed", 2: "completed", 3: "completed", 4: "cancelled", 5: "skipped" }));
    expect(nextOpenStop(stops)).toBeNull();
    expect(canFinish(stops)).toBe(true);
    expect(canFinish(routeStops(day({ 1: "completed" })))).toBe(false);
  });
});

describe("expectedAt", () => {
  it("prefers the live ETA and falls back to the plan", () => {
    expect(expectedAt({ eta_at: "2026-11-25T09:00:00Z", planned_arrival_at: "2026-11-25T08:00:00Z" })).toEqual({
      at: "2026-11-25T09:00:00Z",
      live: true,
    });
    expect(expectedAt({ eta_at: null, planned_arrival_at: "2026-11-25T08:00:00Z" })?.live).toBe(false);
    expect(expectedAt({ eta_at: null, planned_arrival_at: null })).toBeNull();
  });
});

describe("checkAtStop", () => {
  const stops = routeStops(day());

  it("accepts this stop's parcel", () => {
    expect(checkAtStop(stops, "s1", "A2")).toEqual({ kind: "right", barcode: "A2" });
  });

  it("names the customer stop another parcel belongs to", () => {
    const result = checkAtStop(stops, "s1", "F1");
    expect(result.kind).toBe("other-stop");
    if (result.kind === "other-stop") {
      expect(result.stop.number).toBe(4); // the hand-over, not the depot fetch
      expect(result.stop.order?.recipient_name).toBe("Fia");
    }
  });

  it("does not know a parcel of no order on the route", () => {
    expect(checkAtStop(stops, "s1", "ZZZ")).toEqual({ kind: "unknown", barcode: "ZZZ" });
  });
});

describe("loadList and checkLoadScan", () => {
  it("lists the delivery parcels once each, by stop, with what was scanned", () => {
    const stops = routeStops(day());
    const items = loadList(stops, { A2: { stage: "loading", stop_id: null, at: "x" } });
    expect(items.map((i) => [i.barcode, i.stop?.number, i.loaded])).toEqual([
      ["A1", 1, false],
      ["A2", 1, true],
      ["F1", 4, false],
    ]);
  });

  it("tells a new parcel, one loaded already, a return and a stranger apart", () => {
    const stops = routeStops(day());
    const items = loadList(stops, { A2: { stage: "loading", stop_id: null, at: "x" } });
    expect(checkLoadScan(items, stops, "A1").kind).toBe("loaded");
    expect(checkLoadScan(items, stops, "A2").kind).toBe("again");
    const back = checkLoadScan(items, stops, "R1");
    expect(back.kind).toBe("return");
    if (back.kind === "return") expect(back.stop?.number).toBe(2);
    expect(checkLoadScan(items, stops, "nope")).toEqual({ kind: "unknown", barcode: "nope" });
  });
});

describe("routeLine", () => {
  it("draws the street geometry in Leaflet's order, else straight from stop to stop", () => {
    expect(
      routeLine({
        geometry: {
          type: "LineString",
          coordinates: [
            [24.9, 60.1],
            [24.95, 60.2],
          ],
        },
        stops: [],
      }),
    ).toEqual([
      [60.1, 24.9],
      [60.2, 24.95],
    ]);
    expect(
      routeLine({ geometry: null, stops: [stop(2, "end", null), stop(1, "break", null), stop(0, "start", null)] }),
    ).toEqual([
      [60, 24],
      [60.02, 24],
    ]);
  });
});

describe("changedStops", () => {
  it("marks a new stop and one that moved, not the others", () => {
    const stops = routeStops(day());
    // before: s1 s2 s3 s4 s5 without s3; after: s1 s2 s3 s4 s5 with s5 moved ahead of s4 before
    const marks = changedStops(["s1", "s2", "s5", "s4"], stops);
    expect(marks.get("s3")).toBe("new");
    expect(marks.get("s1")).toBeUndefined();
    expect(marks.get("s2")).toBeUndefined();
    expect([marks.get("s4"), marks.get("s5")].filter(Boolean)).toEqual(["moved"]); // one of the two moved
  });

  it("marks as few stops as explain the new order, not every stop after a change", () => {
    const stops = routeStops(day());
    const marks = changedStops(["s1", "s4", "s3", "s2", "s5"], stops);
    expect(marks.size).toBe(2); // s2 and s4 swapped: two stops out of place (which two is a tie)
    expect(marks.has("s1")).toBe(false);
    expect(marks.has("s5")).toBe(false);
    const one = changedStops(["s1", "s3", "s4", "s5", "s2"], stops);
    expect([...one]).toEqual([["s2", "moved"]]); // s2 went from last to second
  });

  it("marks nothing when the order is the one acknowledged", () => {
    const stops = routeStops(day());
    expect(changedStops(["s1", "s2", "s3", "s4", "s5"], stops).size).toBe(0);
  });
});
