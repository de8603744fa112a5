// The day's stops as the driver app reads them: numbered as the dispatcher numbers them, what each stop
// is for, which is next, what to load, and whether a scanned parcel belongs here. Pure, so tested.
import type { DriverDay, DriverOrder, DriverRoute, DriverStop } from "../../api/driver";
import type { LocalMarks } from "../../offline/db";

/**
 * What the driver does at a stop: hand a parcel over, collect a customer's return, fetch a parcel at the
 * depot (a van already out), drop the collected returns at the depot; or the route's start, end and breaks.
 */
export type StopRole =
  "handover" | "return-pickup" | "depot-fetch" | "return-drop" | "depot-start" | "depot-end" | "break";

export interface RouteStop {
  stop: DriverStop;
  /** 1, 2, 3... for stops that serve an order, in driving order (the dispatcher's numbers); null otherwise. */
  number: number | null;
  order: DriverOrder | null;
  role: StopRole;
}

export function isOpen(stop: Pick<DriverStop, "status">): boolean {
  return stop.status === "pending" || stop.status === "arrived";
}

export function stopRole(stop: Pick<DriverStop, "kind">, order: Pick<DriverOrder, "kind"> | null): StopRole {
  switch (stop.kind) {
    case "start":
      return "depot-start";
    case "end":
      return "depot-end";
    case "break":
      return "break";
    case "pickup":
      return order?.kind === "return" ? "return-pickup" : "depot-fetch";
    default:
      return order?.kind === "return" ? "return-drop" : "handover";
  }
}

/** A stop at a customer's door (where proof is taken), not at the depot. */
export function atCustomer(role: StopRole): boolean {
  return role === "handover" || role === "return-pickup";
}

/** Every stop of the route in driving order, numbered, with its order and role. */
export function routeStops(day: Pick<DriverDay, "route" | "orders">): RouteStop[] {
  const orders = new Map(day.orders.map((order) => [order.id, order]));
  let number = 0;
  return [...day.route.stops]
    .sort((a, b) => a.sequence - b.sequence)
    .map((stop) => {
      const order = stop.order_id === null ? null : (orders.get(stop.order_id) ?? null);
      return { stop, number: stop.order_id === null ? null : ++number, order, role: stopRole(stop, order) };
    });
}

/** The first stop with work left, in driving order: the one the screen puts first and highlights. */
export function nextOpenStop(stops: readonly RouteStop[]): RouteStop | null {
  return stops.find((s) => s.number !== null && isOpen(s.stop)) ?? null;
}

/** Stops done and stops in all (those that serve an order). */
export function progress(stops: readonly RouteStop[]): { done: number; total: number } {
  const work = stops.filter((s) => s.number !== null);
  return { done: work.filter((s) => !isOpen(s.stop)).length, total: work.length };
}

/** The server finishes a route only once no stop with an order is open (backend/routing/execution.py). */
export function canFinish(stops: readonly RouteStop[]): boolean {
  return stops.every((s) => s.number === null || !isOpen(s.stop));
}

/** When the driver should be there: the live ETA once the route is under way, else the plan's time. */
export function expectedAt(
  stop: Pick<DriverStop, "eta_at" | "planned_arrival_at">,
): { at: string; live: boolean } | null {
  if (stop.eta_at) return { at: stop.eta_at, live: true };
  if (stop.planned_arrival_at) return { at: stop.planned_arrival_at, live: false };
  return null;
}

/** The stop a parcel of this order is handed over or collected at (the customer's door), else any stop of it. */
export function customerStopOf(stops: readonly RouteStop[], orderId: string): RouteStop | null {
  const ofOrder = stops.filter((s) => s.order?.id === orderId);
  return ofOrder.find((s) => atCustomer(s.role)) ?? ofOrder[0] ?? null;
}

function orderOfBarcode(orders: readonly DriverOrder[], barcode: string): DriverOrder | null {
  return orders.find((order) => order.parcels.some((parcel) => parcel.barcode === barcode)) ?? null;
}

export type StopScan =
  | { kind: "right"; barcode: string }
  /** Another stop's parcel: the driver is told which stop and whose. */
  | { kind: "other-stop"; barcode: string; stop: RouteStop }
  | { kind: "unknown"; barcode: string };

/** Whether a parcel scanned at a stop belongs to this stop's order. */
export function checkAtStop(stops: readonly RouteStop[], stopId: string, barcode: string): StopScan {
  const here = stops.find((s) => s.stop.id === stopId);
  const order = orderOfBarcode(
    stops.flatMap((s) => (s.order ? [s.order] : [])),
    barcode,
  );
  if (!order) return { kind: "unknown", barcode };
  if (here?.order?.id === order.id) return { kind: "right", barcode };
  const stop = customerStopOf(stops, order.id);
  return stop ? { kind: "other-stop", barcode, stop } : { kind: "unknown", barcode };
}

/** A parcel to put in the van at the depot, with the stop it goes to. */
export interface LoadItem {
  barcode: string;
  order: DriverOrder;
  /** Where it is handed over. */
  stop: RouteStop | null;
  /** Scanned into the van (by a loading scan, or already at its stop). */
  loaded: boolean;
}

/** Every parcel the van takes out (the delivery orders' parcels), in the order of their stops. */
export function loadList(stops: readonly RouteStop[], scanned: LocalMarks["scanned"]): LoadItem[] {
  const seen = new Set<string>();
  const items: LoadItem[] = [];
  for (const routeStop of stops) {
    const order = routeStop.order;
    if (!order || order.kind !== "delivery" || seen.has(order.id)) continue;
    seen.add(order.id);
    const stop = customerStopOf(stops, order.id);
    for (const parcel of order.parcels) {
      items.push({ barcode: parcel.barcode, order, stop, loaded: scanned[parcel.barcode] !== undefined });
    }
  }
  return items.sort((a, b) => (a.stop?.stop.sequence ?? 0) - (b.stop?.stop.sequence ?? 0));
}

export type LoadScan =
  | { kind: "loaded"; item: LoadItem }
  | { kind: "again"; item: LoadItem }
  /** A customer's return: collected on the road, not loaded at the depot. */
  | { kind: "return"; barcode: string; stop: RouteStop | null }
  | { kind: "unknown"; barcode: string };

/** What a code scanned while loading the van means. */
export function checkLoadScan(items: readonly LoadItem[], stops: readonly RouteStop[], barcode: string): LoadScan {
  const item = items.find((i) => i.barcode === barcode);
  if (item) return item.loaded ? { kind: "again", item } : { kind: "loaded", item };
  const order = orderOfBarcode(
    stops.flatMap((s) => (s.order ? [s.order] : [])),
    barcode,
  );
  if (order?.kind === "return") return { kind: "return", barcode, stop: customerStopOf(stops, order.id) };
  return { kind: "unknown", barcode };
}

/** The route's line as Leaflet wants it ([lat, lon]): the streets when the plan has them, else stop to stop. */
export function routeLine(route: Pick<DriverRoute, "geometry" | "stops">): Array<[number, number]> {
  const geometry = route.geometry;
  if (geometry?.type === "LineString" && Array.isArray(geometry.coordinates)) {
    const points = (geometry.coordinates as unknown[])
      .filter(
        (point): point is [number, number] =>
          Array.isArray(point) && Number.isFinite(point[0]) && Number.isFinite(point[1]),
      )
      .map(([lon, lat]): [number, number] => [lat, lon]);
    if (points.length >= 2) return points;
  }
  return [...route.stops]
    .sort((a, b) => a.sequence - b.sequence)
    .filter((s) => s.kind !== "break")
    .map((s): [number, number] => [s.lat, s.lon]);
}

/**
 * Which stops a re-plan added or moved, against the order the driver last acknowledged: "new" for a stop not
 * there before, "moved" for the fewest stops whose moving explains the new order (those off the longest run
 * of stops still in their old relative order). Two stops swapped are two marks, not every stop between them.
 */
export function changedStops(
  acknowledged: readonly string[],
  stops: readonly RouteStop[],
): Map<string, "new" | "moved"> {
  const marks = new Map<string, "new" | "moved">();
  const oldIndex = new Map(acknowledged.map((id, index) => [id, index]));
  const kept: Array<{ id: string; was: number }> = [];
  for (const routeStop of stops) {
    if (routeStop.number === null) continue;
    const was = oldIndex.get(routeStop.stop.id);
    if (was === undefined) marks.set(routeStop.stop.id, "new");
    else kept.push({ id: routeStop.stop.id, was });
  }
  // Longest increasing run of old positions (quadratic: a route has at most a few hundred stops).
  const length = kept.map(() => 1);
  const previous = kept.map(() => -1);
  let best = -1;
  for (let i = 0; i < kept.length; i++) {
    for (let j = 0; j < i; j++) {
      if (
        (kept[j] as { was: number }).was < (kept[i] as { was: number }).was &&
        (length[j] as number) + 1 > (length[i] as number)
      ) {
        length[i] = (length[j] as number) + 1;
        previous[i] = j;
      }
    }
    if (best < 0 || (length[i] as number) > (length[best] as number)) best = i;
  }
  const inOrder = new Set<string>();
  for (let i = best; i >= 0; i = previous[i] as number) inOrder.add((kept[i] as { id: string }).id);
  for (const { id } of kept) if (!inOrder.has(id)) marks.set(id, "moved");
  return marks;
}
