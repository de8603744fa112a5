// The words the dispatch screen uses for the server's codes: reasons, statuses, kinds of order and stop.

const REASONS: Record<string, string> = {
  capacity: "Too large for any vehicle",
  time_window: "No vehicle can make the time window",
  skills: "Needs a vehicle skill nobody has",
  fleet_full: "Vehicles are full",
  no_vehicle: "No vehicle available",
  no_store: "Store missing",
  taken_off: "Taken off its route",
  pinned: "Kept for a vehicle that can't take it",
};

const ORDER_STATUSES: Record<string, string> = {
  created: "Waiting",
  requested: "Return requested",
  planned: "Planned",
  scheduled: "Scheduled",
  out_for_delivery: "Out for delivery",
  arriving: "Arriving",
  delivered: "Delivered",
  failed: "Failed",
  cancelled: "Cancelled",
};

const ORDER_KINDS: Record<string, string> = {
  delivery: "Delivery",
  return: "Return",
  store_pickup: "To a store",
};

const PLAN_STATUSES: Record<string, string> = {
  draft: "Draft",
  published: "Published",
  superseded: "Superseded",
};

/** A code as words when there is no wording for it yet: "out_for_delivery" is "Out for delivery". */
export function humanize(code: string): string {
  const words = code.replaceAll("_", " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Why the planner left an order out, in the dispatcher's words. */
export function unassignedReasonText(reason: string): string {
  return REASONS[reason] ?? humanize(reason);
}

export function orderStatusText(status: string): string {
  return ORDER_STATUSES[status] ?? humanize(status);
}

export function orderKindText(kind: string): string {
  return ORDER_KINDS[kind] ?? humanize(kind);
}

export function planStatusText(status: string): string {
  return PLAN_STATUSES[status] ?? humanize(status);
}

/**
 * What happens at a stop. A return is picked up at the customer and then delivered to the depot,
 * so its "delivery" stop is the drop at the depot, not a delivery to anyone.
 */
export function stopKindText(kind: string, orderKind?: string): string {
  switch (kind) {
    case "start":
      return "Leave the depot";
    case "end":
      return "Back at the depot";
    case "break":
      return "Break";
    case "pickup":
      return orderKind === "return" ? "Collect the return" : "Pickup";
    case "delivery":
      if (orderKind === "return") return "Drop the return at the depot";
      if (orderKind === "store_pickup") return "Deliver to the store";
      return "Delivery";
    default:
      return humanize(kind);
  }
}

const ROUTE_STATUSES: Record<string, string> = {
  draft: "Draft",
  published: "Published",
  in_progress: "On the road",
  completed: "Completed",
  withdrawn: "Withdrawn",
};

export function routeStatusText(status: string): string {
  return ROUTE_STATUSES[status] ?? humanize(status);
}

const STOP_STATUSES: Record<string, string> = {
  pending: "To do",
  arrived: "Driver there",
  completed: "Done",
  failed: "Failed",
  skipped: "Skipped",
};

/** How a stop went on the road. */
export function stopStatusText(status: string): string {
  return STOP_STATUSES[status] ?? humanize(status);
}
