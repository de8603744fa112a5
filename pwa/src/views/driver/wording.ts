// What the driver app says: the status bar, stop statuses and kinds, failure reasons, return conditions,
// refused actions. Short words for a glance in sunlight. Pure (times take a zone), so tested.
import type { CommandType } from "../../api/driver";
import { clockFormat } from "../../components/clock";
import type { RejectedCommand } from "../../offline/db";
import type { SharingState } from "../../state/driver";
import type { StopRole } from "./stops";

/** "07:42" for an ISO instant in the phone's time zone (or the one given); "" for none. */
export function clock(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : clockFormat(timeZone).format(at);
}

/** "10:00–12:00"; "from 10:00", "until 12:00" with one end; "" with none. */
export function windowText(startIso: string | null, endIso: string | null, timeZone?: string): string {
  const start = clock(startIso, timeZone);
  const end = clock(endIso, timeZone);
  if (start && end) return start === end ? start : `${start}–${end}`;
  if (start) return `from ${start}`;
  if (end) return `until ${end}`;
  return "";
}

export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The status bar's sync count: "All synced", "1 action waiting to sync", "3 actions waiting to sync". */
export function pendingText(pending: number): string {
  return pending <= 0 ? "All synced" : `${countText(pending, "action")} waiting to sync`;
}

/** "last sync 07:42", or "not synced yet" before the first. */
export function lastSyncText(lastSyncAt: string | null, timeZone?: string): string {
  const at = clock(lastSyncAt, timeZone);
  return at ? `last sync ${at}` : "not synced yet";
}

const SHARING: Record<SharingState, string> = {
  off: "Location not shared",
  live: "Sharing location",
  buffering: "Location kept on phone",
  denied: "Location blocked",
  paused: "Location paused",
};

export function sharingText(state: SharingState): string {
  return SHARING[state] ?? "Location not shared";
}

const ROLE: Record<StopRole, string> = {
  handover: "Delivery",
  "return-pickup": "Return pickup",
  "depot-fetch": "Fetch at depot",
  "return-drop": "Return to depot",
  "depot-start": "Depot",
  "depot-end": "Back at depot",
  break: "Break",
};

export function roleText(role: StopRole): string {
  return ROLE[role];
}

/** A stop's state as its badge says it; "completed" in the words of what was done there. */
export function stopStatusText(status: string, role: StopRole): string {
  switch (status) {
    case "pending":
      return "To do";
    case "arrived":
      return "Arrived";
    case "completed":
      return role === "return-pickup"
        ? "Collected"
        : role === "depot-fetch"
          ? "Fetched"
          : role === "return-drop"
            ? "Dropped off"
            : "Delivered";
    case "failed":
      return "Failed";
    case "skipped":
      return "Skipped";
    case "cancelled":
      return "Cancelled";
    default: {
      const words = status.replaceAll("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/** Why a delivery did not happen (the server's codes, backend/routing/execution.py FAILURE_REASONS). */
export const FAILURE_REASONS = [
  { code: "not_home", label: "Nobody home" },
  { code: "no_access", label: "No access" },
  { code: "refused", label: "Refused" },
  { code: "damaged", label: "Damaged" },
  { code: "wrong_address", label: "Wrong address" },
  { code: "other", label: "Other" },
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number]["code"];

/** The state of a returned parcel as the driver sees it at the door. */
export const RETURN_CONDITIONS = [
  { code: "intact", label: "Intact" },
  { code: "damaged", label: "Damaged" },
  { code: "opened", label: "Opened" },
] as const;

export type ReturnCondition = (typeof RETURN_CONDITIONS)[number]["code"];

const COMMANDS: Record<CommandType, string> = {
  "route.start": "Starting the route",
  "route.finish": "Finishing the route",
  "stop.arrive": "Arriving",
  "stop.deliver": "The delivery",
  "stop.fail": "The failed delivery",
  "stop.collect_return": "The collected return",
  "parcel.scan": "A parcel scan",
};

const REASONS: Record<string, string> = {
  stop_cancelled: "the stop was cancelled",
  reassigned: "the stop went to another driver",
  stop_closed: "the stop was already closed",
  route_closed: "the route was already closed",
  not_found: "it is no longer on your route",
  invalid: "it was not valid",
  key_reused: "it was sent twice with different data",
  media_refused: "its photo was refused",
  media_lost: "its photo was lost on the phone",
};

/** Actions whose proof (photos, signature, name) the server keeps even when it refuses them. */
const PROOF_TYPES: ReadonlySet<string> = new Set(["stop.deliver", "stop.fail", "stop.collect_return"]);

/** "Dispatch refused 1 action", "Dispatch refused 3 actions". */
export function rejectedHeading(count: number): string {
  return `Dispatch refused ${countText(count, "action")}`;
}

/**
 * One refused action in a sentence: the server's own message ("Stop 5 (Anna Virtanen) was cancelled while
 * you were offline."), led by the stop's label when the message does not name it, and "Your proof was
 * saved." when there was proof and the server kept it.
 */
export function rejectedText(
  entry: Pick<RejectedCommand, "command" | "reason" | "message">,
  stopLabel?: string | null,
): string {
  const what = COMMANDS[entry.command.type] ?? "An action";
  let text =
    entry.message.trim() || `${what} was refused: ${REASONS[entry.reason] ?? entry.reason.replaceAll("_", " ")}.`;
  if (!/[.!?]$/.test(text)) text += ".";
  if (stopLabel && !/\bstop \d/i.test(text)) text = `${stopLabel}: ${text}`;
  const proofKept = PROOF_TYPES.has(entry.command.type) && !entry.reason.startsWith("media_");
  if (proofKept && !/proof/i.test(text)) text += " Your proof was saved.";
  return text;
}

/** "Wed 25 Nov" for a YYYY-MM-DD service date. */
export function serviceDateText(date: string): string {
  const at = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(
    at,
  );
}

/** Where the route is at, in a line: "Not started", "On the road since 08:02", "Finished at 16:40". */
export function routeStatusText(
  route: { status: string; started_at: string | null; completed_at: string | null },
  timeZone?: string,
): string {
  switch (route.status) {
    case "published":
      return "Not started";
    case "in_progress":
      return route.started_at ? `On the road since ${clock(route.started_at, timeZone)}` : "On the road";
    case "completed":
      return route.completed_at ? `Finished at ${clock(route.completed_at, timeZone)}` : "Finished";
    case "withdrawn":
      return "Withdrawn by dispatch";
    default: {
      const words = route.status.replaceAll("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
