// Which live events make the dispatch screen reload what: pure, so the rules are tested.
import type { LiveEvent } from "../../api/live";

/** What to fetch again. `reason` is the server's word for a revision ("order_added"), when it gave one. */
export interface Refresh {
  plans: boolean;
  orders: boolean;
  reason?: string;
}

/**
 * plan.* and route.* events of the day shown reload its plans (and, when published or revised, the
 * orders, whose status follows); order.* events reload both, because orders have no day of their own
 * and a live plan may be amended for them. Events of other days and other domains are ignored.
 */
export function refreshFor(event: LiveEvent, shownDate: string): Refresh | null {
  const [domain, action] = event.type.split(".", 2);
  if (domain === "order") return { plans: true, orders: true };
  if (domain !== "plan" && domain !== "route") return null;
  const day = event.payload["service_date"];
  if (typeof day === "string" && day !== shownDate) return null;
  const reason = event.payload["reason"];
  return {
    plans: true,
    orders: action === "published" || action === "revised",
    ...(typeof reason === "string" && reason ? { reason } : {}),
  };
}

/** Two refreshes due in the same moment, as one. */
export function mergeRefresh(a: Refresh | null, b: Refresh): Refresh {
  if (!a) return b;
  const reason = b.reason ?? a.reason;
  return { plans: a.plans || b.plans, orders: a.orders || b.orders, ...(reason ? { reason } : {}) };
}
