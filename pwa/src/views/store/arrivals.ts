// The "Customers here" list: who tapped "I'm here" on their tracking page, from GET ...pickups?list=arrived
// and then live from /ws/store/{id} (pickup.customer_arrived adds, pickup.handed_over and pickup.expired
// take away). Pure, so the rules are tested; state/store.ts holds the list.
import type { LiveEvent } from "../../api/live";
import type { Pickup } from "../../api/store";
import type { Arrival } from "../../state/store";

export type { Arrival } from "../../state/store";

/** A live arrival stays highlighted this long: long enough to be seen from the shelves, short enough to calm down. */
export const FRESH_MS = 90_000;

export function arrivalFromPickup(pickup: Pickup): Arrival | null {
  if (!pickup.customer_arrived_at || pickup.status !== "ready_for_pickup") return null;
  return {
    orderId: pickup.order_id,
    name: pickup.recipient_name,
    shelf: pickup.shelf,
    curbside: pickup.curbside,
    parkingNote: pickup.parking_note,
    arrivedAt: pickup.customer_arrived_at,
    distanceM: pickup.customer_distance_m ?? null,
  };
}

/** Newest first: the customer who just walked in is the one to fetch for. */
function sorted(list: Arrival[]): Arrival[] {
  return [...list].sort((a, b) => (Date.parse(b.arrivedAt) || 0) - (Date.parse(a.arrivedAt) || 0));
}

/** The list as the server has it (on opening and after every reconnect, when events may have been missed). */
export function arrivalsFromPickups(pickups: readonly Pickup[]): Arrival[] {
  return sorted(pickups.map(arrivalFromPickup).filter((a): a is Arrival => a !== null));
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value : null;
}

function distance(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

export interface ArrivalsChange {
  list: Arrival[];
  /** Someone just arrived: the screen alerts the staff. */
  arrived: Arrival | null;
}

/** The list after one live event of the store's socket; events that change nothing give the same list back. */
export function applyStoreEvent(
  list: Arrival[],
  event: Pick<LiveEvent, "type" | "payload">,
  now: Date,
): ArrivalsChange {
  const orderId = text(event.payload["order_id"]);
  if (!orderId) return { list, arrived: null };
  switch (event.type) {
    case "pickup.customer_arrived": {
      const arrival: Arrival = {
        orderId,
        name: text(event.payload["name"]) ?? "A customer",
        shelf: text(event.payload["shelf"]),
        curbside: event.payload["curbside"] === true,
        parkingNote: text(event.payload["parking_note"]),
        arrivedAt: now.toISOString(),
        distanceM: distance(event.payload["distance_m"]),
      };
      // tapped "I'm here" again (moved to the curb): one entry, brought to the top
      return { list: sorted([arrival, ...list.filter((a) => a.orderId !== orderId)]), arrived: arrival };
    }
    case "pickup.handed_over":
    case "pickup.expired": {
      const rest = list.filter((a) => a.orderId !== orderId);
      return { list: rest.length === list.length ? list : rest, arrived: null };
    }
    default:
      return { list, arrived: null };
  }
}

/** Whether an arrival is still news (highlighted). */
export function isFresh(arrival: Arrival, now: Date): boolean {
  return now.getTime() - new Date(arrival.arrivedAt).getTime() < FRESH_MS;
}

/** The page title's prefix while customers wait: "(2) " — seen on a tab in the background. */
export function titlePrefix(count: number): string {
  return count > 0 ? `(${count}) ` : "";
}

/** Events after which the waiting and overdue lists are out of date. */
export function changesLists(type: string): boolean {
  return type.startsWith("pickup.");
}
