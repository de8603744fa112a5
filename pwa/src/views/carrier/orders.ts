// The carrier's orders as the screen shows them: in four states (to pick up, on the way, done, failed; and
// cancelled ones while the shipper's cancellation is news), then by shipper, found by a search. Pure, tested.
import type { CarrierOrder } from "../../api/carrier";

export type CarrierState = "to_pick_up" | "on_the_way" | "done" | "failed" | "cancelled";

/** The tabs, in the order of a delivery's life; "cancelled" shows only when there is such an order. */
export const STATES: readonly CarrierState[] = ["to_pick_up", "on_the_way", "done", "failed", "cancelled"];

const ON_THE_WAY = new Set(["out_for_delivery", "arriving"]);
const DONE = new Set(["delivered"]);
const FAILED = new Set(["failed", "returning", "returned_to_depot"]);
const CANCELLED = new Set(["cancelled"]);

/** Where an order stands for the carrier. Anything not yet on its way (created, planned...) is to pick up. */
export function stateOf(status: string): CarrierState {
  if (ON_THE_WAY.has(status)) return "on_the_way";
  if (DONE.has(status)) return "done";
  if (FAILED.has(status)) return "failed";
  if (CANCELLED.has(status)) return "cancelled";
  return "to_pick_up";
}

/** What a carrier can still record for an order in this state. */
export function actionsFor(state: CarrierState): ReadonlyArray<"picked_up" | "delivered" | "failed"> {
  switch (state) {
    case "to_pick_up":
      return ["picked_up", "failed"];
    case "on_the_way":
      return ["delivered", "failed"];
    default:
      return [];
  }
}

/** Lower case, without accents, for "vaino" to find "Väinö". */
function folded(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Whether every word of the query is in the order's reference, recipient, phone, address, shipper or parcels. */
export function matches(order: CarrierOrder, query: string): boolean {
  const words = folded(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const phone = (order.recipient_phone ?? "").replace(/[\s-]/g, "");
  const fields = [
    order.reference ?? "",
    order.recipient_name,
    order.recipient_phone ?? "",
    phone,
    order.address,
    order.shipper,
    ...order.parcels,
  ];
  const haystack = folded(fields.join(" "));
  return words.every((word) => haystack.includes(word));
}

export interface ShipperGroup {
  shipper: string;
  orders: CarrierOrder[];
}

export interface Board {
  /** Orders found by the search, per state. */
  counts: Record<CarrierState, number>;
  /** The chosen state's orders, by shipper (A to Z), each by window (soonest first, none last), then reference. */
  groups: ShipperGroup[];
}

function windowKey(order: CarrierOrder): number {
  const at = order.window_start_at ?? order.window_end_at;
  const time = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

function byWindow(a: CarrierOrder, b: CarrierOrder): number {
  const difference = windowKey(a) - windowKey(b);
  if (difference !== 0 && !Number.isNaN(difference)) return difference;
  return (a.reference ?? a.id).localeCompare(b.reference ?? b.id);
}

export function board(orders: readonly CarrierOrder[], state: CarrierState, query: string): Board {
  const counts: Record<CarrierState, number> = { to_pick_up: 0, on_the_way: 0, done: 0, failed: 0, cancelled: 0 };
  const byShipper = new Map<string, CarrierOrder[]>();
  for (const order of orders) {
    if (!matches(order, query)) continue;
    const orderState = stateOf(order.status);
    counts[orderState] += 1;
    if (orderState !== state) continue;
    const list = byShipper.get(order.shipper);
    if (list) list.push(order);
    else byShipper.set(order.shipper, [order]);
  }
  const groups = [...byShipper.entries()]
    .sort(([a], [b]) => a.localeCompare(b, "en", { sensitivity: "base" }))
    .map(([shipper, list]) => ({ shipper, orders: list.sort(byWindow) }));
  return { counts, groups };
}

/** The tabs to show: the four always, "cancelled" only while there is one. */
export function visibleStates(counts: Record<CarrierState, number>, current: CarrierState): CarrierState[] {
  return STATES.filter((state) => state !== "cancelled" || counts.cancelled > 0 || current === "cancelled");
}

/** When the chosen state has nothing for the search, the first state that has (for a "found in" hint). */
export function elsewhere(counts: Record<CarrierState, number>, current: CarrierState): CarrierState | null {
  if (counts[current] > 0) return null;
  return STATES.find((state) => counts[state] > 0) ?? null;
}
