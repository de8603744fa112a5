// What the live amendments changed since the dispatcher last dismissed the notice: the server's account
// of each one (plan.revised), the orders it could not place, and the routes as they were on screen before
// the first of them, so old → new ETAs are measured from what the dispatcher last saw.
// (The view keeps it here beside state/dispatch.ts's shownRevision, which holds the diff it highlights.)
import { signal } from "@preact/signals";
import type { Unassigned } from "../../api/planning";
import type { RevisionDiff } from "../../state/dispatch";
import {
  newlyUnassigned,
  revisedCountsText,
  revisedReasonText,
  routeEventText,
  type PlanRevised,
  type Unplaced,
} from "./plan-revised";
import { isEmptyDiff, type StopSnapshot } from "./revision-diff";

export interface RevisionLog {
  planId: string;
  /** The open plan's order stops as shown before the first amendment of the log. */
  base: ReadonlyMap<string, StopSnapshot>;
  /** Its left-out orders then. */
  baseUnassigned: readonly Unassigned[];
  /** One line per amendment, oldest first: "New order placed: +1 stop, 3 ETAs changed". */
  lines: string[];
  /**
   * The last line when the screen saw a change before the server's account of it came (the reload of
   * another event caught it): that account replaces it. Its counts are what the screen saw.
   */
  provisional: { counts: string } | null;
  /** Orders the amendments left out, with why. */
  unplaced: Unplaced[];
}

export const revisionLog = signal<RevisionLog | null>(null);

/** "+1 stop, −1 stop, 2 ETAs changed", counted on screen. */
function diffCountsText(diff: RevisionDiff): string {
  return revisedCountsText({
    added: diff.added.length,
    removed: diff.removed.length,
    moved: diff.moved.length,
    etaChanges: diff.etaChanges.length,
  });
}

/**
 * The log after a reload of the open plan. `log` is the one on screen for this plan (null to start
 * afresh from `before`); `step` compares the routes shown just before the reload with those now.
 * Null when there is nothing to say.
 */
export function nextRevisionLog(options: {
  log: RevisionLog | null;
  planId: string;
  before: ReadonlyMap<string, StopSnapshot>;
  beforeUnassigned: readonly Unassigned[];
  afterUnassigned: readonly Unassigned[];
  revisions: readonly PlanRevised[];
  step: RevisionDiff;
  /** The route event that set the reload off, if any ("route.withdrawn"). */
  cause?: string | undefined;
}): RevisionLog | null {
  const log = options.log?.planId === options.planId ? options.log : null;
  const base = log?.base ?? options.before;
  const baseUnassigned = log?.baseUnassigned ?? options.beforeUnassigned;
  const unplaced = newlyUnassigned(baseUnassigned, options.afterUnassigned);
  const lines = [...(log?.lines ?? [])];
  let provisional = log?.provisional ?? null;
  for (const revised of options.revisions.filter((r) => r.planId === options.planId)) {
    let counts = revisedCountsText(revised);
    if (provisional) {
      lines.pop(); // the server's account of what the screen already showed
      counts ||= provisional.counts; // a withdrawn route's stops are no vehicle's before: the server counts none
      provisional = null;
    }
    // an amendment that changed no route says so only when it left an order out
    if (counts || unplaced.length > 0) lines.push(counts ? `${revisedReasonText(revised)}: ${counts}` : revisedReasonText(revised));
  }
  if (options.revisions.length === 0 && !isEmptyDiff(options.step)) {
    const counts = diffCountsText(options.step);
    lines.push(`${routeEventText(options.cause) ?? "Changed"}: ${counts}`);
    provisional = { counts };
  }
  if (lines.length === 0 && unplaced.length === 0) return null;
  return { planId: options.planId, base, baseUnassigned, lines, provisional, unplaced };
}

/** The notice's words for screen readers and the state's `notice`: every line, newest last. */
export function revisionLogText(log: RevisionLog): string {
  const parts = [...log.lines];
  if (log.unplaced.length > 0) parts.push(`${log.unplaced.length} left out`);
  return `Plan revised: ${parts.join("; ")}`;
}
