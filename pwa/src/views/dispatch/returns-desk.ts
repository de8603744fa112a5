// The depot's receiving desk (dispatch's "Returns to receive"): which location receives, what each return is,
// and what the list looks like after one is decided. Pure, so the rules are tested; ReturnsPanel shows them.
import type { Location } from "../../api/planning";
import type { Disposition, Return } from "../../api/store";

/** Events after which the list may have changed: taken in at a store, collected by a driver, decided. */
export const RETURN_EVENTS: ReadonlySet<string> = new Set([
  "return.requested",
  "return.dropped_off",
  "return.received",
  "stop.completed",
]);

/** Where returns are received: the depots (stores receive their own drop-offs on the store screen). */
export function receivingPlaces(locations: readonly Location[]): Location[] {
  return locations.filter((l) => l.kind === "depot").sort((a, b) => a.name.localeCompare(b.name));
}

/** The chosen depot if it still exists, else the first. */
export function chosenPlace(places: readonly Location[], chosenId: string | null): string | null {
  if (chosenId && places.some((p) => p.id === chosenId)) return chosenId;
  return places[0]?.id ?? null;
}

/** "Return from Aino Virtanen · RET-1001 · dropped at a store" */
export function returnTitle(item: Return): string {
  const who = item.recipient_name ? `Return from ${item.recipient_name}` : "Return";
  const how = item.method === "store_dropoff" ? "dropped at a store" : "collected by a driver";
  return [who, item.reference, how].filter(Boolean).join(" · ");
}

const DONE: Record<Disposition, string> = {
  restock: "Restocked",
  repair: "Sent for repair",
  dispose: "Disposed of",
};

/** One line for a decided return: "Restocked at Depot Pasila". */
export function decidedText(disposition: Disposition, place: string): string {
  return `${DONE[disposition]} at ${place}`;
}

/** The list without the decided return (the server's next answer agrees; this spares a flash). */
export function withoutReturn(list: readonly Return[], returnOrderId: string): Return[] {
  return list.filter((r) => r.return_order_id !== returnOrderId);
}
