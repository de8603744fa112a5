// What a new set of routes changed against the one on screen: orders added, removed or moved to
// another vehicle, and stops whose ETA moved. Pure, so the highlighting rules are tested.
import type { Route } from "../../api/planning";
import type { EtaChange, RevisionDiff } from "../../state/dispatch";
import { count } from "./format";

/** An ETA that moved less than this is noise (the solver's rounding), not news for a dispatcher. */
export const MIN_ETA_CHANGE_S = 60;

export interface StopSnapshot {
  stopId: string;
  orderId: string;
  vehicleId: string;
  plannedArrivalAt: string | null;
}

/**
 * The order stops of some routes by order and kind ("<order id>:pickup"): stop ids are stable when the
 * server amends a plan in place, but a new revision has new ids, and a return has two stops.
 */
export function snapshotRoutes(routes: Iterable<Pick<Route, "vehicle_id" | "stops">>): Map<string, StopSnapshot> {
  const snapshot = new Map<string, StopSnapshot>();
  for (const route of routes) {
    for (const stop of route.stops) {
      if (stop.order_id === null) continue; // the depot and breaks: not what a dispatcher follows
      // a withdrawn route keeps its skipped stops for the record; the order's live stop is elsewhere
      if (stop.status === "skipped") continue;
      snapshot.set(`${stop.order_id}:${stop.kind}`, {
        stopId: stop.id,
        orderId: stop.order_id,
        vehicleId: route.vehicle_id,
        plannedArrivalAt: stop.planned_arrival_at,
      });
    }
  }
  return snapshot;
}

export function diffSnapshots(
  before: ReadonlyMap<string, StopSnapshot>,
  after: ReadonlyMap<string, StopSnapshot>,
  minEtaChangeS: number = MIN_ETA_CHANGE_S,
): RevisionDiff {
  const added: string[] = [];
  const moved: string[] = [];
  const etaChanges: EtaChange[] = [];
  const addedOrders = new Set<string>();
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) {
      if (!addedOrders.has(now.orderId)) added.push(now.stopId);
      addedOrders.add(now.orderId);
      continue;
    }
    if (was.vehicleId !== now.vehicleId) moved.push(now.stopId);
    if (was.plannedArrivalAt && now.plannedArrivalAt) {
      const deltaS = Math.round((Date.parse(now.plannedArrivalAt) - Date.parse(was.plannedArrivalAt)) / 1000);
      if (Math.abs(deltaS) >= minEtaChangeS) {
        etaChanges.push({
          stopId: now.stopId,
          orderId: now.orderId,
          before: was.plannedArrivalAt,
          after: now.plannedArrivalAt,
          deltaS,
        });
      }
    }
  }
  const removed = [...new Set([...before.values()].filter((was) => !hasOrder(after, was.orderId)).map((was) => was.orderId))];
  return { added, removed, moved, etaChanges };
}

function hasOrder(snapshot: ReadonlyMap<string, StopSnapshot>, orderId: string): boolean {
  for (const stop of snapshot.values()) if (stop.orderId === orderId) return true;
  return false;
}

export function isEmptyDiff(diff: RevisionDiff): boolean {
  return diff.added.length + diff.removed.length + diff.moved.length + diff.etaChanges.length === 0;
}

/** "Plan revised: +1 stop, 3 ETAs changed"; null when nothing a dispatcher would notice changed. */
export function revisionNotice(diff: RevisionDiff): string | null {
  if (isEmptyDiff(diff)) return null;
  const parts: string[] = [];
  if (diff.added.length > 0) parts.push(`+${count(diff.added.length, "stop")}`);
  if (diff.removed.length > 0) parts.push(`−${count(diff.removed.length, "stop")}`);
  if (diff.moved.length > 0) parts.push(`${diff.moved.length} moved to another vehicle`);
  if (diff.etaChanges.length > 0) parts.push(`${count(diff.etaChanges.length, "ETA")} changed`);
  return `Plan revised: ${parts.join(", ")}`;
}

/** "+8 min", "−3 min": how far an ETA moved, rounded to the minute. */
export function formatEtaDelta(deltaS: number): string {
  const minutes = Math.round(Math.abs(deltaS) / 60); // symmetric: 2.5 min early is "−3 min", as late is "+3 min"
  return deltaS >= 0 ? `+${minutes} min` : `−${minutes} min`;
}
