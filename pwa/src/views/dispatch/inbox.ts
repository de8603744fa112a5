// The "Needs attention" card's rules (InboxPanel shows them): which items are open and in what order, what
// each kind is called, when a live event means the list may have changed, and what "Show on plan" opens.
// Pure, so they are tested.
import type { Inbox, InboxItem, InboxSeverity } from "../../api/inbox";
import { dateIn, formatClock } from "./format";

export interface SeverityGroup {
  severity: InboxSeverity;
  heading: string;
  items: InboxItem[];
}

const SEVERITIES: ReadonlyArray<{ severity: InboxSeverity; heading: string }> = [
  { severity: "critical", heading: "Urgent" },
  { severity: "warning", heading: "To sort out" },
  { severity: "info", heading: "Good to know" },
];

const KIND_LABELS: Record<string, string> = {
  failed_attempt: "Failed attempt",
  late_stop: "Late",
  driver_offline: "Driver offline",
  rejected_action: "Refused driver action",
  webhook_failed: "Webhook failed",
  endpoint_disabled: "Webhook off",
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, " ");
}

function newestFirst(a: InboxItem, b: InboxItem): number {
  return Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || a.key.localeCompare(b.key);
}

/** The open items by severity, most urgent group first, newest first in each; empty groups left out. An item of
 * a severity this screen does not know yet goes with the warnings rather than disappear. */
export function openGroups(items: readonly InboxItem[]): SeverityGroup[] {
  const known = new Set(SEVERITIES.map((s) => s.severity));
  const open = items.filter((item) => !item.acknowledged);
  return SEVERITIES.map(({ severity, heading }) => ({
    severity,
    heading,
    items: open
      .filter((item) => item.severity === severity || (severity === "warning" && !known.has(item.severity as InboxSeverity)))
      .sort(newestFirst),
  })).filter((group) => group.items.length > 0);
}

/** What was marked handled, most recently handled first. */
export function handledItems(items: readonly InboxItem[]): InboxItem[] {
  return items
    .filter((item) => item.acknowledged)
    .sort((a, b) => Date.parse(b.acknowledged_at ?? b.occurred_at) - Date.parse(a.acknowledged_at ?? a.occurred_at));
}

/** The inbox after the server answered an acknowledgement: that item replaced, the open count from the list. */
export function withItem(inbox: Inbox, updated: InboxItem): Inbox {
  const items = inbox.items.map((item) => (item.key === updated.key ? updated : item));
  return { ...inbox, items, open_count: items.filter((item) => !item.acknowledged).length };
}

/** The badge's words for screen readers: "3 open items". */
export function openCountText(count: number): string {
  return count === 0 ? "nothing open" : `${count} open item${count === 1 ? "" : "s"}`;
}

/** Live events after which the list may have changed: a stop or a route moved on the road, a plan changed the
 * ETAs, an order's window or status changed, a refused driver action was kept, a webhook endpoint went off.
 * (Drivers going silent and ETAs passing a window's end raise no event: the card also reloads every minute.) */
export function refreshesInbox(eventType: string): boolean {
  const [domain] = eventType.split(".", 1);
  return (
    domain === "stop" ||
    domain === "route" ||
    domain === "plan" ||
    domain === "webhook" ||
    eventType === "proof.conflict" ||
    eventType === "order.updated" ||
    eventType === "order.status_changed"
  );
}

/** Where "Show on plan" goes: the route (and its day) the item is about, if it is about one. */
export function planTarget(item: Pick<InboxItem, "route_id" | "service_date">): { routeId: string; date: string } | null {
  return item.route_id && item.service_date ? { routeId: item.route_id, date: item.service_date } : null;
}

/** The item's time as the card shows it: "14:05", with the day in front when it is not the day shown. */
export function whenText(iso: string, timeZone: string, shownDate: string): string {
  const clock = formatClock(iso, timeZone);
  if (dateIn(iso, timeZone) === shownDate) return clock;
  const day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone }).format(new Date(iso));
  return `${day} ${clock}`;
}

/** "Handled by Dana Dispatcher at 14:10" (or without a name, for an API key). */
export function handledText(item: InboxItem, timeZone: string, shownDate: string): string {
  const when = item.acknowledged_at ? ` at ${whenText(item.acknowledged_at, timeZone, shownDate)}` : "";
  return `Handled${item.acknowledged_by ? ` by ${item.acknowledged_by}` : ""}${when}`;
}
