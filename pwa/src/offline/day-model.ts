// The day's pure logic: a waiting action applied to the day as the driver expects to see it, a fresh
// server day merged with the actions still waiting, and what a re-plan changed, in plain words.
import type { DriverDay, DriverOrder, DriverStop } from "../api/driver";
import type { Command, LocalDay, LocalMarks } from "./db";

const CLOSED: ReadonlySet<string> = new Set(["completed", "failed", "skipped", "cancelled"]);

function emptyMarks(): LocalMarks {
  return { scanned: {}, collected: {} };
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The day with one of the driver's actions applied, as the server will show it once the action is in. */
export function applyCommand(day: LocalDay, command: Command): LocalDay {
  if (day.route.id !== command.route_id) return day;
  const at = command.occurred_at;
  const p = command.payload;
  let route = day.route;
  let orders = day.orders;
  let local = day.local;
  const stop = command.stop_id === null ? undefined : route.stops.find((s) => s.id === command.stop_id);
  const order = stop?.order_id ? orders.find((o) => o.id === stop.order_id) : undefined;
  const patchStop = (patch: Partial<DriverStop>) => {
    if (stop) route = { ...route, stops: route.stops.map((s) => (s.id === stop.id ? { ...s, ...patch } : s)) };
  };
  const patchOrder = (status: string | null) => {
    if (order && status) orders = orders.map((o) => (o.id === order.id ? { ...o, status } : o));
  };
  const scan = (barcode: string, stage: "loading" | "stop") => {
    local = { ...local, scanned: { ...local.scanned, [barcode]: { stage, stop_id: command.stop_id, at } } };
  };

  switch (command.type) {
    case "route.start":
      route = { ...route, status: "in_progress", started_at: route.started_at ?? at };
      break;
    case "route.finish":
      route = { ...route, status: "completed", completed_at: route.completed_at ?? at };
      break;
    case "stop.arrive":
      if (stop && stop.status === "pending") patchStop({ status: "arrived", arrived_at: stop.arrived_at ?? at });
      break;
    case "stop.deliver":
      if (stop) patchStop({ status: "completed", arrived_at: stop.arrived_at ?? at, completed_at: at });
      patchOrder(deliveredStatus(stop, order));
      for (const barcode of Array.isArray(p["scanned"]) ? p["scanned"] : []) {
        if (typeof barcode === "string") scan(barcode, "stop");
      }
      break;
    case "stop.fail":
      if (stop) patchStop({ status: "failed", arrived_at: stop.arrived_at ?? at, completed_at: at });
      if (stop?.kind === "delivery" && order?.kind === "delivery") patchOrder("failed");
      break;
    case "stop.collect_return": {
      const barcode = text(p["barcode"]);
      if (barcode) {
        const mark = { condition: text(p["condition"]) ?? "intact", stop_id: command.stop_id, at };
        local = { ...local, collected: { ...local.collected, [barcode]: mark } };
      }
      break;
    }
    case "parcel.scan": {
      const barcode = text(p["barcode"]);
      if (barcode) scan(barcode, p["stage"] === "stop" ? "stop" : "loading");
      break;
    }
  }
  return { ...day, route, orders, local };
}

/** The order's status once a stop.deliver is in, where it is plain which (else the server's word waits). */
function deliveredStatus(stop: DriverStop | undefined, order: DriverOrder | undefined): string | null {
  if (!stop || !order) return null;
  if (stop.kind === "delivery" && order.kind === "delivery") return "delivered";
  if (stop.kind === "pickup" && order.kind === "return") return "collected";
  return null;
}

/**
 * The server's day as the app shows it: the marks the driver made on this route kept, and every action
 * still waiting re-applied in outbox order (a stop delivered offline stays delivered on screen).
 */
export function mergeDay(server: DriverDay, previous: LocalDay | null, outbox: readonly Command[]): LocalDay {
  const local = previous && previous.route.id === server.route.id ? previous.local : emptyMarks();
  let merged: LocalDay = { ...server, local };
  for (const command of [...outbox].sort((a, b) => a.seq - b.seq)) merged = applyCommand(merged, command);
  return merged;
}

/** The stops the driver serves (not the depot start, end or breaks), in plan order. */
export function workStops(route: { stops: readonly DriverStop[] }): DriverStop[] {
  return route.stops.filter((s) => s.order_id !== null).sort((a, b) => a.sequence - b.sequence);
}

const MOVED_DEG = 0.0001; // about 10 m: a coordinate moved less than this is the same place

/**
 * What a re-plan changed that the driver must know, in plain words ("2 stops added, 1 cancelled, order
 * changed after stop 4"), or null when nothing did (new ETAs or times alone are not worth a notice).
 * Stops are numbered as the driver sees them: 1 for the first customer stop of the new plan.
 */
export function describeChange(before: DriverDay, after: DriverDay): string | null {
  const newStops = workStops(after.route);
  if (before.route.id !== after.route.id) {
    return `New route: ${newStops.length} ${newStops.length === 1 ? "stop" : "stops"}`;
  }
  const oldStops = workStops(before.route);
  const oldById = new Map(oldStops.map((s) => [s.id, s]));
  const newById = new Map(newStops.map((s) => [s.id, s]));
  const added = newStops.filter((s) => !oldById.has(s.id) && !CLOSED.has(s.status)).length;
  const removed = oldStops.filter((s) => !newById.has(s.id) && !CLOSED.has(s.status)).length;
  const cancelled = newStops.filter((s) => {
    const old = oldById.get(s.id);
    return s.status === "cancelled" && old !== undefined && old.status !== "cancelled";
  }).length;

  const oldOrders = new Map(before.orders.map((o) => [o.id, o]));
  const newOrders = new Map(after.orders.map((o) => [o.id, o]));
  const moved = newStops.filter((s) => {
    if (!oldById.has(s.id) || CLOSED.has(s.status) || s.order_id === null) return false;
    const was = oldOrders.get(s.order_id);
    const now = newOrders.get(s.order_id);
    if (!was || !now) return false;
    return (
      was.address !== now.address || Math.abs(was.lat - now.lat) > MOVED_DEG || Math.abs(was.lon - now.lon) > MOVED_DEG
    );
  }).length;

  // The open stops both plans have, in each plan's order: where the two lists first differ.
  const open = (s: DriverStop) => !CLOSED.has(s.status);
  const inBoth = (s: DriverStop) => oldById.has(s.id) && newById.has(s.id);
  const oldOrder = oldStops.filter((s) => inBoth(s) && open(s) && open(newById.get(s.id) as DriverStop));
  const newOrder = newStops.filter((s) => inBoth(s) && open(s) && open(oldById.get(s.id) as DriverStop));
  const firstDiff = newOrder.findIndex((s, i) => oldOrder[i]?.id !== s.id);
  let reordered: string | null = null;
  if (firstDiff === 0) reordered = "stop order changed";
  else if (firstDiff > 0) {
    const last = newOrder[firstDiff - 1] as DriverStop;
    reordered = `order changed after stop ${newStops.indexOf(last) + 1}`;
  }

  const counts: Array<[number, string]> = [
    [added, "added"],
    [cancelled, "cancelled"],
    [removed, "taken off your route"],
    [moved, "with a new address"],
  ];
  const parts = counts
    .filter(([n]) => n > 0)
    .map(([n, what], i) => (i === 0 ? `${n} ${n === 1 ? "stop" : "stops"} ${what}` : `${n} ${what}`));
  if (reordered) parts.push(reordered);
  if (parts.length === 0) return null;
  const summary = parts.join(", ");
  return summary.charAt(0).toUpperCase() + summary.slice(1);
}

/** Stops with actions still waiting. */
export function stopsWithPending(outbox: readonly Command[]): Set<string> {
  return new Set(outbox.flatMap((c) => (c.stop_id === null ? [] : [c.stop_id])));
}
