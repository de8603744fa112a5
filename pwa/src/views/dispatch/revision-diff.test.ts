import { describe, expect, it } from "vitest";
import type { Route, Stop } from "../../api/planning";
import { diffSnapshots, formatEtaDelta, isEmptyDiff, revisionNotice, snapshotRoutes } from "./revision-diff";

function stop(id: string, orderId: string | null, arrival: string, kind = "delivery"): Stop {
  return {
    id,
    sequence: 0,
    kind,
    status: "pending",
    order_id: orderId,
    lat: 60,
    lon: 24,
    planned_arrival_at: arrival,
    planned_departure_at: arrival,
    arrived_at: null,
    completed_at: null,
  };
}

function route(vehicleId: string, stops: Stop[]): Pick<Route, "vehicle_id" | "stops"> {
  return { vehicle_id: vehicleId, stops };
}

const BEFORE = [
  route("van", [
    stop("start", null, "2026-11-25T07:00:00Z", "start"),
    stop("s1", "o1", "2026-11-25T07:10:00Z"),
    stop("s2", "o2", "2026-11-25T07:20:00Z"),
    stop("s3", "o3", "2026-11-25T07:30:00Z"),
  ]),
  route("bike", [stop("s4", "o4", "2026-11-25T07:15:00Z")]),
];

describe("diffSnapshots", () => {
  it("finds nothing when the same routes come back", () => {
    const diff = diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(BEFORE));
    expect(isEmptyDiff(diff)).toBe(true);
    expect(revisionNotice(diff)).toBeNull();
  });

  it("marks an inserted stop as added and the stops after it whose ETA moved", () => {
    const after = [
      route("van", [
        stop("start", null, "2026-11-25T07:00:00Z", "start"),
        stop("s1", "o1", "2026-11-25T07:10:00Z"),
        stop("s9", "o9", "2026-11-25T07:18:00Z"),
        stop("s2", "o2", "2026-11-25T07:27:00Z"),
        stop("s3", "o3", "2026-11-25T07:37:30Z"),
      ]),
      route("bike", [stop("s4", "o4", "2026-11-25T07:15:30Z")]), // 30 s: noise
    ];
    const diff = diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(after));
    expect(diff.added).toEqual(["s9"]);
    expect(diff.removed).toEqual([]);
    expect(diff.etaChanges.map((c) => [c.stopId, c.deltaS])).toEqual([
      ["s2", 420],
      ["s3", 450],
    ]);
    expect(diff.etaChanges[0]).toMatchObject({ before: "2026-11-25T07:20:00Z", after: "2026-11-25T07:27:00Z" });
    expect(revisionNotice(diff)).toBe("Plan revised: +1 stop, 2 ETAs changed");
  });

  it("notices a cancelled order and an order moved to another vehicle", () => {
    const after = [
      route("van", [stop("s1", "o1", "2026-11-25T07:10:00Z"), stop("s3", "o3", "2026-11-25T07:20:00Z")]),
      route("bike", [stop("s4", "o4", "2026-11-25T07:15:00Z"), stop("s2", "o2", "2026-11-25T07:25:00Z")]),
    ];
    const diff = diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(after));
    expect(diff.removed).toEqual([]);
    expect(diff.moved).toEqual(["s2"]);
    expect(diff.etaChanges.map((c) => c.stopId)).toEqual(["s3", "s2"]);
    const cancelled = diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes([BEFORE[0]!]));
    expect(cancelled.removed).toEqual(["o4"]);
    expect(revisionNotice(cancelled)).toBe("Plan revised: −1 stop");
  });

  it("matches a new revision's stops by order, though their ids are new", () => {
    const renumbered = BEFORE.map((r) => ({ ...r, stops: r.stops.map((s) => ({ ...s, id: `new-${s.id}` })) }));
    expect(isEmptyDiff(diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(renumbered)))).toBe(true);
  });

  it("counts a return (a pickup and a drop) as one added stop", () => {
    const after = [
      ...BEFORE,
      route("truck", [stop("p", "r1", "2026-11-25T08:00:00Z", "pickup"), stop("d", "r1", "2026-11-25T09:00:00Z")]),
    ];
    expect(diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(after)).added).toEqual(["p"]);
  });
});

describe("formatEtaDelta", () => {
  it("says later with a plus and earlier with a minus sign", () => {
    expect(formatEtaDelta(420)).toBe("+7 min");
    expect(formatEtaDelta(-150)).toBe("−3 min");
  });

  it("leaves out a withdrawn route's skipped stops: the order's live stop is on another route", () => {
    const skipped = { ...stop("s4", "o4", "2026-11-25T07:15:00Z"), status: "skipped" };
    const after = [BEFORE[0]!, route("bike", [skipped]), route("van2", [stop("s5", "o4", "2026-11-25T07:40:00Z")])];
    const diff = diffSnapshots(snapshotRoutes(BEFORE), snapshotRoutes(after));
    expect(diff.moved).toEqual(["s5"]);
    expect(diff.removed).toEqual([]);
  });
});
