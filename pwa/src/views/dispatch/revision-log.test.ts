import { describe, expect, it } from "vitest";
import type { RevisionDiff } from "../../state/dispatch";
import type { PlanRevised } from "./plan-revised";
import { nextRevisionLog, revisionLogText } from "./revision-log";
import type { StopSnapshot } from "./revision-diff";

const EMPTY: RevisionDiff = { added: [], removed: [], moved: [], etaChanges: [] };
const BEFORE = new Map<string, StopSnapshot>([
  ["o1:delivery", { stopId: "s1", orderId: "o1", vehicleId: "van", plannedArrivalAt: "2026-11-25T07:10:00Z" }],
]);
const PLACED: PlanRevised = { planId: "p", revision: 1, reason: "order created", added: 1, removed: 0, moved: 0, etaChanges: 2 };
const ADDED: RevisionDiff = { ...EMPTY, added: ["s9"] };

describe("nextRevisionLog", () => {
  it("starts from the server's account of the amendment", () => {
    const log = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [PLACED],
      step: ADDED,
    });
    expect(log?.lines).toEqual(["New order placed: +1 stop, 2 ETAs changed"]);
    expect(log?.base).toBe(BEFORE);
    expect(log && revisionLogText(log)).toBe("Plan revised: New order placed: +1 stop, 2 ETAs changed");
  });

  it("adds later amendments and keeps the base the dispatcher saw first", () => {
    const first = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [PLACED],
      step: ADDED,
    });
    const later = nextRevisionLog({
      log: first,
      planId: "p",
      before: new Map(),
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [{ ...PLACED, revision: 2, reason: "re-optimized", added: 0, etaChanges: 1 }],
      step: ADDED,
    });
    expect(later?.lines).toEqual(["New order placed: +1 stop, 2 ETAs changed", "Re-optimized: saved travel: 1 ETA changed"]);
    expect(later?.base).toBe(BEFORE);
  });

  it("tells an order that could not be placed, and why", () => {
    const log = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [{ order_id: "o9", reason: "time_window", detail: "No vehicle gets there in time" }],
      revisions: [{ ...PLACED, added: 0, etaChanges: 0 }],
      step: EMPTY,
    });
    expect(log?.lines).toEqual(["New order not placed"]);
    expect(log?.unplaced.map((u) => u.reasonText)).toEqual(["No vehicle can make the time window"]);
  });

  it("says what the screen saw when the server gave no account, and nothing when nothing changed", () => {
    const seen = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [],
      step: ADDED,
    });
    expect(seen?.lines).toEqual(["Changed: +1 stop"]);
    const quiet = { log: null, planId: "p", before: BEFORE, beforeUnassigned: [], afterUnassigned: [], step: EMPTY };
    expect(nextRevisionLog({ ...quiet, revisions: [] })).toBeNull();
    expect(nextRevisionLog({ ...quiet, revisions: [{ ...PLACED, planId: "other" }] })).toBeNull();
  });

  it("replaces what the screen saw first with the server's account when it comes", () => {
    const seen = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [],
      step: ADDED,
    });
    const told = nextRevisionLog({
      log: seen,
      planId: "p",
      before: new Map(),
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [PLACED],
      step: EMPTY,
    });
    expect(told?.lines).toEqual(["New order placed: +1 stop, 2 ETAs changed"]);
    expect(told?.provisional).toBeNull();
  });

  it("names a withdrawn route, and keeps the stops it lost when the server counts none", () => {
    const removed: RevisionDiff = { ...EMPTY, removed: ["o1", "o2"] };
    const seen = nextRevisionLog({
      log: null,
      planId: "p",
      before: BEFORE,
      beforeUnassigned: [],
      afterUnassigned: [],
      revisions: [],
      step: removed,
      cause: "route.withdrawn",
    });
    expect(seen?.lines).toEqual(["Route withdrawn: −2 stops"]);
    const left = [{ order_id: "o1", reason: "fleet_full", detail: "" }];
    const told = nextRevisionLog({
      log: seen,
      planId: "p",
      before: new Map(),
      beforeUnassigned: [],
      afterUnassigned: left,
      revisions: [{ ...PLACED, reason: "route.withdrawn", added: 0, etaChanges: 0 }],
      step: EMPTY,
    });
    expect(told?.lines).toEqual(["Route withdrawn: −2 stops"]);
    expect(told?.unplaced.map((u) => u.orderId)).toEqual(["o1"]);
  });
});
