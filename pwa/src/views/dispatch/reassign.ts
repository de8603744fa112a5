// Moving a stop to another driver's route ("Move to…" in a route's stop table): which stops may move, to
// which routes, and what the screen says once it moved. Pure, so the rules and the words are tested; the
// request is moveStop in dispatch-actions.ts, and the server has the last word (backend/routing/reassign.py).
import type { RouteSummary, Stop, StopReassigned } from "../../api/planning";
import { numberStops } from "./stops";

/** Route statuses a stop can move from and to: the day's live routes. */
export const LIVE_ROUTE_STATUSES: ReadonlySet<string> = new Set(["published", "in_progress"]);

/** A route of the plan as the dispatch screen names it. */
export interface NamedRoute {
  summary: Pick<RouteSummary, "id" | "status">;
  /** The vehicle's name: "Van 2". */
  name: string;
  /** The driver's name, when the route has one. */
  driver: string | null;
}

export interface MoveTarget {
  routeId: string;
  /** "Van 2 · Aino Driver", or the vehicle's name alone. */
  label: string;
}

/**
 * Whether a stop's row offers "Move to…": it serves an order, nobody has reached it yet, and its route is
 * live. (The stop a driver is already heading to is refused by the server, which says so.)
 */
export function canMove(stop: Pick<Stop, "order_id" | "status">, routeStatus: string): boolean {
  return stop.order_id !== null && stop.status === "pending" && LIVE_ROUTE_STATUSES.has(routeStatus);
}

/** "Van 2 · Aino Driver": how a route is named in the list of places a stop can go. */
export function routeLabel(route: Pick<NamedRoute, "name" | "driver">): string {
  return route.driver ? `${route.name} · ${route.driver}` : route.name;
}

/** The plan's other live routes, in the plan's order, as the choices of "Move to…". */
export function moveTargets(routes: readonly NamedRoute[], fromRouteId: string): MoveTarget[] {
  return routes
    .filter((route) => route.summary.id !== fromRouteId && LIVE_ROUTE_STATUSES.has(route.summary.status))
    .map((route) => ({ routeId: route.summary.id, label: routeLabel(route) }));
}

/**
 * What the screen announces once the server moved the stop: "Anna Virtanen is stop 4 of Van 2 · Aino
 * Driver now." A stop fetched from the depot first counts as its delivery's number.
 */
export function movedText(result: Pick<StopReassigned, "stop_ids" | "to_route">, who: string, target: string): string {
  const moved = new Set(result.stop_ids);
  const numbers = numberStops(result.to_route.stops).filter((n) => moved.has(n.stop.id) && n.number !== null);
  const last = numbers[numbers.length - 1];
  return last ? `${who} is stop ${last.number} of ${target} now.` : `${who} moved to ${target}.`;
}
