import { describe, expect, it } from "vitest";
import type { DriverPosition, StopEta } from "../../api/positions";
import { isLate, isStale, parseEtas, parsePosition, parsePositions, stopEta, withEtas, withPositions } from "./live-positions";

const POSITION: DriverPosition = {
  driver_id: "d1",
  route_id: "r1",
  lat: 60.16,
  lon: 24.93,
  heading: 90,
  speed: 8,
  accuracy: 5,
  at: "2026-11-25T10:00:00Z",
};

const ETA: StopEta = {
  stop_id: "s1",
  order_id: "o1",
  eta_at: "2026-11-25T10:20:00Z",
  earliest_at: "2026-11-25T10:15:00Z",
  latest_at: "2026-11-25T10:25:00Z",
  stops_away: 0,
  late: false,
};

describe("parsePosition and parseEtas", () => {
  it("read the frames /ws/dispatch sends", () => {
    expect(parsePosition({ ...POSITION, heading: null })).toEqual({ ...POSITION, heading: null });
    expect(parsePosition({ driver_id: "d1", lat: "60", lon: 24, at: "x" })).toBeNull();
    const etas = parseEtas({ route_id: "r1", driver_id: "d1", stops: [ETA, { stop_id: "bad" }] });
    expect(etas).toEqual({ route_id: "r1", driver_id: "d1", stops: [ETA] });
    expect(parseEtas({ stops: [] })).toBeNull();
  });
});

describe("withPositions", () => {
  it("keeps each driver's newest position", () => {
    const one = withPositions(new Map(), [POSITION]);
    const moved = withPositions(one, [{ ...POSITION, lat: 60.17, at: "2026-11-25T10:00:02Z" }]);
    expect(moved.get("d1")?.lat).toBe(60.17);
    expect(withPositions(moved, [{ ...POSITION, lat: 1, at: "2026-11-25T09:59:00Z" }])).toBe(moved);
    expect(withPositions(moved, [{ ...POSITION, driver_id: "d2" }]).size).toBe(2);
  });

  it("takes a whole batch in one new map, and returns the same map when nothing in it is newer", () => {
    const before = withPositions(new Map(), [POSITION]);
    const batch = [
      { ...POSITION, driver_id: "d2" },
      { ...POSITION, driver_id: "d3", lat: 60.2 },
      { ...POSITION, lat: 1, at: "2026-11-25T09:00:00Z" }, // older than what the map has for d1
    ];
    const after = withPositions(before, batch);
    expect([...after.keys()].sort()).toEqual(["d1", "d2", "d3"]);
    expect(after.get("d1")?.lat).toBe(POSITION.lat);
    expect(before.size).toBe(1); // the signal's old value is never changed in place
    expect(withPositions(after, [])).toBe(after);
  });
});

describe("parsePositions", () => {
  it("reads every position it can and leaves out the rest", () => {
    const read = parsePositions({ positions: [POSITION, { driver_id: "d2" }, null, { ...POSITION, driver_id: "d3" }] });
    expect(read.map((p) => p.driver_id)).toEqual(["d1", "d3"]);
    expect(parsePositions({ positions: "nope" })).toEqual([]);
    expect(parsePositions(null)).toEqual([]);
  });
});

describe("late stops", () => {
  const order = { window_end_at: "2026-11-25T10:10:00Z" };
  const stop = { id: "s1", status: "pending", eta_at: null };

  it("is late when the server says so, or when the ETA is after the window's end", () => {
    const live = withEtas(new Map(), { route_id: "r1", driver_id: "d1", stops: [ETA] });
    expect(isLate(stop, order, live)).toBe(true); // 10:20 after 10:10
    expect(isLate(stop, { window_end_at: "2026-11-25T11:00:00Z" }, live)).toBe(false);
    const flagged = withEtas(new Map(), { route_id: "r1", driver_id: "d1", stops: [{ ...ETA, late: true }] });
    expect(isLate(stop, undefined, flagged)).toBe(true);
  });

  it("reads the route's stored ETA before any frame came", () => {
    expect(isLate({ ...stop, eta_at: "2026-11-25T10:30:00Z" }, order, new Map())).toBe(true);
    expect(stopEta({ id: "s1", eta_at: "2026-11-25T10:30:00Z" }, new Map())).toBe("2026-11-25T10:30:00Z");
  });

  it("is never late once done, nor without an ETA or a window", () => {
    const live = withEtas(new Map(), { route_id: "r1", driver_id: "d1", stops: [{ ...ETA, late: true }] });
    expect(isLate({ ...stop, status: "completed" }, order, live)).toBe(false);
    expect(isLate(stop, order, new Map())).toBe(false);
    expect(isLate({ ...stop, eta_at: "2026-11-25T10:30:00Z" }, { window_end_at: null }, new Map())).toBe(false);
  });
});

describe("isStale", () => {
  it("fades a position five minutes old", () => {
    expect(isStale(POSITION, new Date("2026-11-25T10:04:00Z"))).toBe(false);
    expect(isStale(POSITION, new Date("2026-11-25T10:06:00Z"))).toBe(true);
  });
});
