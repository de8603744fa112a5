// Which live events make the dispatch screen reload what: pure, so the rules are tested.
import type { LiveEvent } from "../../api/live";
import { parsePlanRevised, type PlanRevised } from "./plan-revised";

/** What to fetch again. `reason` is the server's word for a revision ("order_added"), when it gave one. */
export interface Refresh {
  plans: boolean;
  orders: boolean;
  reason?: string;
  /** The type of the last route event of the burst ("route.withdrawn"), to name a change before the server does. */
  cause?: string;
  /** The server's accounts of live amendments (plan.revised) in the order they came. */
  revisions?: PlanRevised[];
  /** Routes whose stops moved on the road (stop.arrived, stop.departed, stop.completed): reload only them. */
  routes?: string[];
}

/**
 * plan.* and route.* events of the day shown reload its plans (and, when published or revised, the
 * orders, whose status follows); order.* events reload both, because orders have no day of their own
 * and a live plan may be amended for them. stop.* events (a driver at a stop, done with it) reload
 * that route only. Events of other days and other domains are ignored.
 */
export function refreshFor(event: LiveEvent, shownDate: string): Refresh | null {
  const [domain, action] = event.type.split(".", 2);
  if (domain === "order") return { plans: true, orders: true };
  if (domain === "stop") return event.subject_id ? { plans: false, orders: false, routes: [event.subject_id] } : null;
  if (domain !== "plan" && domain !== "route") return null;
  const day = event.payload["service_date"];
  if (typeof day === "string" && day !== shownDate) return null;
  const reason = event.payload["reason"];
  const revised = action === "revised" ? parsePlanRevised(event.subject_id, event.payload) : null;
  return {
    plans: true,
    orders: action === "published" || action === "revised",
    ...(typeof reason === "string" && reason ? { reason } : {}),
    ...(revised ? { revisions: [revised] } : {}),
    ...(domain === "route" ? { cause: event.type } : {}),
  };
}

/** Two refreshes due in the same moment, as one. */
export function mergeRefresh(a: Refresh | null, b: Refresh): Refresh {
  if (!a) return b;
  const reason = b.reason ?? a.reason;
  const revisions = [...(a.revisions ?? []), ...(b.revisions ?? [])];
  const cause = b.cause ?? a.cause;
  const routes = [...new Set([...(a.routes ?? []), ...(b.routes ?? [])])];
  return {
    plans: a.plans || b.plans,
    orders: a.orders || b.orders,
    ...(reason ? { reason } : {}),
    ...(revisions.length > 0 ? { revisions } : {}),
    ...(cause ? { cause } : {}),
    ...(routes.length > 0 ? { routes } : {}),
  };
}
