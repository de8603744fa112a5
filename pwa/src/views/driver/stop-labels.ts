// "Stop 5 (Aino Lehtonen)" for a stop the day may no longer hold: a refused action names its stop, and a
// stop taken off the route is gone from the day by the time the refusal arrives. Labels of the stops seen
// are kept here (and in localStorage, for a refusal read after a restart), for the current route only.
import type { RouteStop } from "./stops";

const STORAGE_KEY = "doorstep.driver.stop-labels";

interface Saved {
  routeId: string;
  labels: Record<string, string>;
}

let saved: Saved | null = null;

function read(): Saved {
  if (saved) return saved;
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (parsed && typeof parsed === "object" && typeof (parsed as Saved).routeId === "string") saved = parsed as Saved;
  } catch {
    // no storage (private mode) or a damaged entry: labels come from the day alone
  }
  saved ??= { routeId: "", labels: {} };
  return saved;
}

/** The label of a numbered stop: "Stop 5 (Aino Lehtonen)". */
export function labelOf(stop: RouteStop): string {
  return stop.order ? `Stop ${stop.number} (${stop.order.recipient_name})` : `Stop ${stop.number}`;
}

/** Keeps the labels of the route's stops (by stop id and by order id); another route starts afresh. */
export function rememberStops(routeId: string, stops: readonly RouteStop[]): void {
  const current = read();
  const labels = current.routeId === routeId ? { ...current.labels } : {};
  let changed = current.routeId !== routeId;
  for (const stop of stops) {
    if (stop.number === null) continue;
    const label = labelOf(stop);
    for (const key of [stop.stop.id, stop.order?.id]) {
      if (key && labels[key] !== label) {
        labels[key] = label;
        changed = true;
      }
    }
  }
  if (!changed) return;
  saved = { routeId, labels };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  } catch {
    // storage full or refused: the labels still work until the app closes
  }
}

/** The label last seen for a stop (or its order), if any. */
export function stopLabel(stopId: string | null, orderId: string | null): string | null {
  const { labels } = read();
  return (stopId ? labels[stopId] : undefined) ?? (orderId ? labels[orderId] : undefined) ?? null;
}
