// The server's own account of a live amendment (`plan.revised` on /ws/dispatch, backend/routing/replanning.py):
// why the plan changed and what moved, in the dispatcher's words. Pure, so the wording is tested.
import type { Unassigned } from "../../api/planning";
import { count } from "./format";
import { humanize, unassignedReasonText } from "./wording";

/** What the notice needs of a `plan.revised` payload; counts come from the server's diff. */
export interface PlanRevised {
  planId: string;
  revision: number;
  /** The server's reasons, "; "-joined when a burst of changes was placed at once: "order created". */
  reason: string;
  added: number;
  removed: number;
  moved: number;
  etaChanges: number;
}

/** The payload of a `plan.revised` event, or null when it is not one the screen can read. */
export function parsePlanRevised(planId: string, payload: Record<string, unknown>): PlanRevised | null {
  const diff = payload["diff"];
  if (!diff || typeof diff !== "object") return null;
  const d = diff as Record<string, unknown>;
  const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  const revision = payload["revision"];
  const etaChanges = payload["eta_changes"] ?? d["eta_changes"];
  return {
    planId,
    revision: typeof revision === "number" ? revision : 0,
    reason: typeof payload["reason"] === "string" ? payload["reason"] : "",
    added: length(d["added"]),
    removed: length(d["removed"]),
    moved: length(d["moved"]),
    etaChanges: typeof etaChanges === "number" ? etaChanges : length(etaChanges),
  };
}

/** One server reason in plain words; the diff tells a cancellation from other status changes. */
function reasonWords(reason: string, revised: PlanRevised): string {
  switch (reason.trim()) {
    case "order created":
      return revised.added > 0 ? "New order placed" : "New order not placed";
    case "order status_changed":
      if (revised.removed > 0) return "Order cancelled";
      return revised.added > 0 ? "Order placed again" : "Order changed";
    case "order updated":
      return "Order changed";
    case "re-optimized":
      return "Re-optimized: saved travel";
    case "route.withdrawn":
      return "Route withdrawn";
    case "route.delayed":
      return "Route running late";
    default:
      return humanize(reason.replaceAll(".", " "));
  }
}

/** What a route event that the screen saw before the server's account says: "Route withdrawn"; else null. */
export function routeEventText(eventType: string | undefined): string | null {
  if (eventType === "route.withdrawn") return "Route withdrawn";
  if (eventType === "route.delayed") return "Route running late";
  return null;
}

/** "New order placed", "Order cancelled and new order placed": every distinct reason of the revision. */
export function revisedReasonText(revised: PlanRevised): string {
  const words = [...new Set(revised.reason.split(";").filter((r) => r.trim()).map((r) => reasonWords(r, revised)))];
  if (words.length === 0) return "Plan changed";
  const [first, ...rest] = words;
  return [first, ...rest.map((w) => w.charAt(0).toLowerCase() + w.slice(1))].join(" and ");
}

/** "+1 stop, 3 ETAs changed", from the server's counts; "" when nothing on a route changed. */
export function revisedCountsText(revised: Pick<PlanRevised, "added" | "removed" | "moved" | "etaChanges">): string {
  const parts: string[] = [];
  if (revised.added > 0) parts.push(`+${count(revised.added, "stop")}`);
  if (revised.removed > 0) parts.push(`−${count(revised.removed, "stop")}`);
  if (revised.moved > 0) parts.push(`${count(revised.moved, "stop")} moved to another vehicle`);
  if (revised.etaChanges > 0) parts.push(`${count(revised.etaChanges, "ETA")} changed`);
  return parts.join(", ");
}

/** "New order placed: +1 stop, 3 ETAs changed": one line of the notice. */
export function revisedText(revised: PlanRevised): string {
  const counts = revisedCountsText(revised);
  return counts ? `${revisedReasonText(revised)}: ${counts}` : revisedReasonText(revised);
}

/** An order the plan left out that it did not leave out before, with the reason in words. */
export interface Unplaced {
  orderId: string;
  reason: string;
  reasonText: string;
  detail: string;
}

/** The plan's left-out orders that were not left out in the plan on screen before (newly unplaced). */
export function newlyUnassigned(before: readonly Unassigned[] | null, after: readonly Unassigned[]): Unplaced[] {
  const known = new Set((before ?? []).map((u) => u.order_id));
  return after
    .filter((u) => !known.has(u.order_id))
    .map((u) => ({ orderId: u.order_id, reason: u.reason, reasonText: unassignedReasonText(u.reason), detail: u.detail }));
}
