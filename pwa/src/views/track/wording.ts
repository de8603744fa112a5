// What the tracking page says, in the customer's words and the browser's clock: the status line, the ETA
// window, how many stops before theirs, the timeline. Pure (the time zone and now are parameters), so tested.
import type { EtaView, TrackingView } from "../../api/tracking";
import { clockFormat } from "../../components/clock";

/** Statuses after which nothing moves any more: no driver, no ETA. */
export const CLOSED_STATUSES: ReadonlySet<string> = new Set([
  "delivered",
  "cancelled",
  "returned_to_depot",
  "picked_up",
  "expired",
  "received",
  "restocked",
  "disposed",
]);

/** Until these, the customer may still change the delivery instructions (backend/orders/lifecycle.py, EDITABLE). */
export const EDITABLE_STATUSES: ReadonlySet<string> = new Set(["created", "planned", "requested", "scheduled"]);

/** How many stops before theirs still count as "close". */
const CLOSE_STOPS = 2;

const STATUS_LABELS: Record<string, string> = {
  created: "Order received",
  planned: "Delivery planned",
  out_for_delivery: "Out for delivery",
  arriving: "Driver arriving",
  delivered: "Delivered",
  failed: "Delivery attempt failed",
  returning: "Going back to the depot",
  returned_to_depot: "Back at the depot",
  cancelled: "Cancelled",
  at_store: "At the store",
  ready_for_pickup: "Ready for pickup",
  picked_up: "Picked up",
  expired: "Pickup time passed",
  requested: "Return requested",
  scheduled: "Collection planned",
  collected: "Collected",
  received: "Received by the sender",
  restocked: "Return complete",
  disposed: "Return complete",
};

/** "out_for_delivery" as "Out for delivery", for a status this page has no words for yet. */
function humanize(code: string): string {
  const words = code.replaceAll("_", " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A status as the timeline names it. */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? humanize(status);
}

/** "14:32" for an ISO instant, in the browser's time zone unless one is given. */
export function formatTime(iso: string, timeZone?: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : clockFormat(timeZone).format(at);
}

/** YYYY-MM-DD of an instant in the zone. */
function dayOf(at: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** "" today, "tomorrow", "yesterday", else "Thu 26 Nov": the day an instant falls on, said from now. */
export function dayWords(iso: string, now: Date, timeZone?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const day = dayOf(at, timeZone);
  if (day === dayOf(now, timeZone)) return "";
  const DAY_MS = 24 * 3600 * 1000;
  if (day === dayOf(new Date(now.getTime() + DAY_MS), timeZone)) return "tomorrow";
  if (day === dayOf(new Date(now.getTime() - DAY_MS), timeZone)) return "yesterday";
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** "14:32", "tomorrow 09:10", "Thu 26 Nov 09:10". */
export function formatWhen(iso: string, now: Date, timeZone?: string): string {
  const day = dayWords(iso, now, timeZone);
  return day ? `${day} ${formatTime(iso, timeZone)}` : formatTime(iso, timeZone);
}

/** "14:10–14:25" (the day in front when it is not today); one time when both ends show the same minute. */
export function formatRange(startIso: string, endIso: string, now: Date, timeZone?: string): string {
  const start = formatTime(startIso, timeZone);
  const end = formatTime(endIso, timeZone);
  const day = dayWords(startIso, now, timeZone);
  const range = start === end ? start : `${start}–${end}`;
  return day ? `${day} ${range}` : range;
}

/**
 * The ETA window: "Arriving 14:10–14:25" from the driver's position, "Planned for 14:00–15:00" while it is
 * the plan's time. A live window already past says "Arriving soon" rather than a time that has gone.
 */
export function etaText(eta: EtaView, now: Date, timeZone?: string): string {
  if (!eta.live) return `Planned for ${formatRange(eta.earliest_at, eta.latest_at, now, timeZone)}`;
  if (Date.parse(eta.latest_at) < now.getTime()) return "Arriving soon";
  return `Arriving ${formatRange(eta.earliest_at, eta.latest_at, now, timeZone)}`;
}

/** "You're the next stop", "1 stop away", "3 stops away"; "" when unknown. */
export function stopsAwayText(stopsAway: number | null): string {
  if (stopsAway === null || stopsAway < 0) return "";
  if (stopsAway === 0) return "You're the next stop";
  return stopsAway === 1 ? "1 stop away" : `${stopsAway} stops away`;
}

/** When the order reached a status: its last timeline entry for it, else null. */
export function reachedAt(view: Pick<TrackingView, "timeline">, status: string): string | null {
  for (let i = view.timeline.length - 1; i >= 0; i--) {
    const entry = view.timeline[i];
    if (entry?.status === status) return entry.at;
  }
  return null;
}

export interface Headline {
  /** The big line: "On its way", "Your driver is close — 2 stops away", "Delivered at 14:32". */
  title: string;
  /** A sentence under it, when there is something to add. */
  detail: string;
}

/** The status in plain words. */
export function headline(
  view: Pick<TrackingView, "status" | "stops_away" | "timeline" | "closed_at" | "kind">,
  now: Date,
  timeZone?: string,
): Headline {
  const away = view.stops_away;
  /** " at 14:32", " yesterday at 14:32", " on Fri 20 Nov at 14:32": when the order reached a status. */
  const when = (status: string) => {
    const iso = reachedAt(view, status) ?? view.closed_at;
    if (!iso) return "";
    const day = dayWords(iso, now, timeZone);
    const prefix = !day ? "" : day === "yesterday" || day === "tomorrow" ? `${day} ` : `on ${day} `;
    return ` ${prefix}at ${formatTime(iso, timeZone)}`;
  };
  switch (view.status) {
    case "created":
      return { title: "Order received", detail: "Your delivery will be planned soon; this page shows when." };
    case "planned":
      return { title: "Delivery planned", detail: "The time gets more precise once your driver sets off." };
    case "out_for_delivery":
      if (away === 0) return { title: "On its way to you", detail: "Your driver is heading to you now." };
      if (away !== null && away <= CLOSE_STOPS) {
        return { title: `Your driver is close — ${stopsAwayText(away)}`, detail: "" };
      }
      return { title: "On its way", detail: "Your parcel is in the van." };
    case "arriving":
      if (away !== null && away > 0) return { title: `Your driver is close — ${stopsAwayText(away)}`, detail: "" };
      return { title: "Your driver is almost there", detail: "Please be ready to take your parcel." };
    case "delivered":
      return { title: `Delivered${when("delivered")}`, detail: "" };
    case "failed":
      return {
        title: "We couldn't deliver your parcel",
        detail: "Another attempt will be planned; this page will show it.",
      };
    case "cancelled":
      return { title: "This delivery was cancelled", detail: "" };
    case "returning":
      return { title: "Your parcel is going back to the depot", detail: "" };
    case "returned_to_depot":
      return { title: "Your parcel is back at the depot", detail: "Contact the sender about a new delivery." };
    case "at_store":
      return { title: "At the store", detail: "We'll tell you when it is ready for pickup." };
    case "ready_for_pickup":
      return { title: "Ready for pickup", detail: "" };
    case "picked_up":
      return { title: `Picked up${when("picked_up")}`, detail: "" };
    case "expired":
      return { title: "The pickup time has passed", detail: "Contact the sender to get your parcel." };
    case "requested":
      return { title: "Return requested", detail: "" };
    case "scheduled":
      return { title: "Collection planned", detail: "" };
    case "collected":
      return { title: `Collected${when("collected")}`, detail: "" };
    default:
      return { title: statusLabel(view.status), detail: "" };
  }
}

/** Whether the page shows an ETA at all: not once the order is closed. */
export function showsEta(view: Pick<TrackingView, "status" | "eta">): boolean {
  return view.eta !== null && !CLOSED_STATUSES.has(view.status) && view.status !== "failed";
}

/** A position older than this is "last known": the phone may have lost signal for a while. */
export const OLD_POSITION_MS = 2 * 60 * 1000;

/** Under the map: whose position it is and from when, or when the customer will see one. */
export function driverNote(
  driverName: string | null,
  driver: { at: string } | null,
  now: Date,
  timeZone?: string,
): string {
  if (!driver) return "You'll see your driver on the map when yours is the next stop.";
  const name = driverName ?? "Your driver";
  const at = formatTime(driver.at, timeZone);
  if (now.getTime() - Date.parse(driver.at) > OLD_POSITION_MS) return `${name}'s last known position, from ${at}.`;
  return `${name}'s position at ${at}.`;
}

/** "Collect by Fri 4 Dec", "Collect by tomorrow 18:00", "Collect today by 18:00": when a pickup goes back. */
export function collectByText(expiresAt: string, now: Date, timeZone?: string): string {
  const day = dayWords(expiresAt, now, timeZone);
  if (day === "") return `Collect today by ${formatTime(expiresAt, timeZone)}`;
  if (day === "tomorrow") return `Collect by tomorrow ${formatTime(expiresAt, timeZone)}`;
  return `Collect by ${day}`;
}

type Shown = Pick<TrackingView, "status" | "kind"> & { return_info?: { method: string } | null | undefined };

/**
 * Whether the page shows the map (where the driver is): for a delivery on its way, and a return a driver
 * collects; not for a parcel waiting at a store, nor a return the customer brings to one.
 */
export function showsMap(view: Shown): boolean {
  if (CLOSED_STATUSES.has(view.status)) return false;
  if (view.kind === "store_pickup") return false;
  if (view.kind === "return") {
    return view.return_info?.method !== "store_dropoff" && (view.status === "requested" || view.status === "scheduled");
  }
  return true;
}

/** Whether instructions for a driver mean anything: not when the customer goes to the store. */
export function takesInstructions(view: Shown): boolean {
  return view.kind !== "store_pickup" && view.return_info?.method !== "store_dropoff";
}
