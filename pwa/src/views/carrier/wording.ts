// What the carrier screen says: its tabs, an order's window and parcels, what an update did, and why it was
// refused (the server's own sentence). Short words for a courier office. Pure (the clock and zone are given).
import { PhotoRefused, type CarrierOrder, type StatusApplied, type StatusUpdate } from "../../api/carrier";
import { ApiError, NetworkError } from "../../api/client";
import { clockFormat } from "../../components/clock";
import { FAILURE_REASONS } from "../driver/wording";
import type { CarrierState } from "./orders";

/** The same reasons, in the same words, as the driver app (the server's codes). */
export { FAILURE_REASONS };

const STATE_LABELS: Record<CarrierState, string> = {
  to_pick_up: "To pick up",
  on_the_way: "On the way",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function stateLabel(state: CarrierState): string {
  return STATE_LABELS[state];
}

const EMPTY: Record<CarrierState, string> = {
  to_pick_up: "Nothing to pick up. New orders from your shippers show here.",
  on_the_way: "Nothing on the way. Orders you mark picked up show here.",
  done: "No deliveries yet.",
  failed: "No failed deliveries.",
  cancelled: "No cancelled orders.",
};

export function emptyText(state: CarrierState): string {
  return EMPTY[state];
}

export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const STATUS_WORDS: Record<string, string> = {
  created: "Waiting for pickup",
  requested: "Waiting for pickup",
  planned: "Waiting for pickup",
  scheduled: "Waiting for pickup",
  out_for_delivery: "On the way",
  arriving: "Arriving",
  delivered: "Delivered",
  failed: "Failed",
  cancelled: "Cancelled by the shipper",
  returning: "Returning",
  returned_to_depot: "Back at the depot",
};

/** An order's status as its badge says it. */
export function statusText(status: string): string {
  const known = STATUS_WORDS[status];
  if (known) return known;
  const words = status.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function dayKey(at: Date, timeZone?: string): string {
  const zone = timeZone ? { timeZone } : {};
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", ...zone }).format(at);
}

/** "Today", "Tomorrow", "Yesterday", or "Fri 27 Nov", for the day `iso` falls on in the zone. */
export function dayText(iso: string, now: Date, timeZone?: string): string {
  const at = new Date(iso);
  const day = dayKey(at, timeZone);
  const offsets: Array<[number, string]> = [
    [0, "Today"],
    [1, "Tomorrow"],
    [-1, "Yesterday"],
  ];
  for (const [days, word] of offsets) {
    if (dayKey(new Date(now.getTime() + days * 86_400_000), timeZone) === day) return word;
  }
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** "Tomorrow 09:00–12:00", "Today from 10:00", "Any time" when the shipper gave no window. */
export function windowText(startIso: string | null, endIso: string | null, now: Date, timeZone?: string): string {
  const valid = (iso: string | null) => (iso && !Number.isNaN(new Date(iso).getTime()) ? iso : null);
  const start = valid(startIso);
  const end = valid(endIso);
  if (!start && !end) return "Any time";
  const clock = (iso: string) => clockFormat(timeZone).format(new Date(iso));
  const day = dayText((start ?? end) as string, now, timeZone);
  if (start && end) {
    const endDay = dayText(end, now, timeZone);
    if (endDay !== day) return `${day} ${clock(start)} – ${endDay} ${clock(end)}`;
    return clock(start) === clock(end) ? `${day} ${clock(start)}` : `${day} ${clock(start)}–${clock(end)}`;
  }
  return start ? `${day} from ${clock(start)}` : `${day} until ${clock(end as string)}`;
}

/** "2 parcels · 3.4 kg". */
export function parcelsText(order: Pick<CarrierOrder, "parcel_count" | "weight_kg">): string {
  const kg = order.weight_kg;
  const shown = kg.toLocaleString("en-GB", { maximumFractionDigits: 1 });
  const weight = Number.isFinite(kg) && kg > 0 ? ` · ${shown} kg` : "";
  return `${countText(order.parcel_count, "parcel")}${weight}`;
}

/** How the order is named on the screen: the shipper's reference, else the start of its id. */
export function orderName(order: Pick<CarrierOrder, "reference" | "id">): string {
  return order.reference ?? `Order ${order.id.slice(0, 8)}`;
}

/** What the update did, for the line that says so: "DEMO-0061 is on the way." */
export function appliedText(
  order: Pick<CarrierOrder, "reference" | "id">,
  update: StatusUpdate,
  applied: StatusApplied,
): string {
  const name = orderName(order);
  const again = applied.replayed ? " (it had reached Doorstep already)" : "";
  switch (update.status) {
    case "picked_up":
      return `${name} picked up: it is on the way${again}.`;
    case "delivered":
      return `${name} delivered to ${update.recipient_name}${again}.`;
    case "failed": {
      const reason = FAILURE_REASONS.find((r) => r.code === update.reason)?.label ?? update.reason;
      return `${name} recorded as failed (${reason.toLowerCase()})${again}.`;
    }
  }
}

const OFFLINE = "Not sent: can't reach Doorstep. Try again; it will not be recorded twice.";

/** Why an update did not go through: the server's problem title and detail as they are, or what to do. */
export function refusalText(error: unknown): string {
  if (error instanceof NetworkError) return OFFLINE;
  if (error instanceof PhotoRefused) return error.message;
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  if (error.status === 401) return "Your sign-in has ended. Sign in again to go on.";
  if (error.status === 429) return "Too many requests. Wait a moment, then try again.";
  if (error.status >= 500) return `Doorstep had a problem (${error.status}). Try again; it will not be recorded twice.`;
  return error.detail ? `${error.title}: ${error.detail}` : error.title;
}

/** "Updated 07:42" after a refresh. */
export function updatedText(at: Date | null, timeZone?: string): string {
  return at ? `Updated ${clockFormat(timeZone).format(at)}` : "Loading…";
}

/** "Showing the first 2000 of 2150 orders." when the list is cut; "" otherwise. */
export function truncatedText(shown: number, total: number): string {
  return total > shown ? `Showing the first ${shown} of ${total} orders.` : "";
}
