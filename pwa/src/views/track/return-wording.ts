// What the tracking page says about returns, in the customer's words: the reasons to choose from, a store's
// distance, a return's status on its own page and what became of it once received. Pure, so tested.
import type { ReturnInfoView, TrackingView } from "../../api/tracking";
import type { Headline } from "./wording";
import { formatRange, formatWhen, reachedAt, statusLabel } from "./wording";

const REASONS: Record<string, string> = {
  damaged: "It arrived damaged",
  wrong_item: "I got the wrong item",
  not_as_described: "It is not as described",
  no_longer_needed: "I no longer need it",
  other: "Another reason",
};

/** A reason code as the form offers it; one this page has no words for yet is made readable. */
export function reasonLabel(reason: string): string {
  const words = reason.replaceAll("_", " ").trim();
  return REASONS[reason] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/** "0.4 km", "1.2 km", "14 km": how far a store is from the delivery address (never "0.0 km"). */
export function distanceText(distanceM: number): string {
  if (!Number.isFinite(distanceM) || distanceM < 0) return "";
  const km = Math.max(0.1, distanceM / 1000);
  return km < 9.95 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`;
}

const DISPOSITIONS: Record<string, string> = {
  restock: "Your return was checked and accepted back into stock.",
  repair: "Your return was checked and is being repaired.",
  dispose: "Your return was checked; it could not be used again and was disposed of.",
};

/** What became of a received return, in a sentence; null before it is decided. */
export function dispositionText(disposition: string | null): string | null {
  if (disposition === null) return null;
  return DISPOSITIONS[disposition] ?? `Your return was checked: ${statusLabel(disposition).toLowerCase()}.`;
}

type ReturnPage = Pick<TrackingView, "status" | "timeline" | "closed_at" | "window_start_at" | "window_end_at"> & {
  return_info: ReturnInfoView;
};

/** The status of a return on its own page, in plain words. */
export function returnHeadline(view: ReturnPage, now: Date, timeZone?: string): Headline {
  const info = view.return_info;
  const dropOff = info.method === "store_dropoff";
  const store = info.store_name ?? "the store";
  const when = (iso: string | null) => (iso ? ` ${formatWhen(iso, now, timeZone)}` : "");
  switch (view.status) {
    case "requested":
      return dropOff
        ? { title: `Bring your return to ${store}`, detail: "Show the code below at the counter." }
        : { title: "Return requested", detail: "We will plan when a driver collects it; this page shows when." };
    case "scheduled":
      if (dropOff) return { title: `Bring your return to ${store}`, detail: "Show the code below at the counter." };
      return {
        title: "A driver will collect your return",
        detail:
          view.window_start_at && view.window_end_at
            ? `Please have it ready ${formatRange(view.window_start_at, view.window_end_at, now, timeZone)}.`
            : "Please have it packed and ready.",
      };
    case "collected": {
      const at = when(dropOff ? (info.dropped_at ?? reachedAt(view, "collected")) : reachedAt(view, "collected"));
      return dropOff
        ? { title: `Handed in at ${store}`, detail: `Dropped off${at}. It is on its way back.` }
        : { title: "Your return was collected", detail: `Collected${at}. It is on its way back.` };
    }
    case "received":
      return {
        title: "Your return has arrived",
        detail: dispositionText(info.disposition) ?? "It is being checked; this page shows what happens next.",
      };
    case "restocked":
    case "disposed":
      return { title: "Return complete", detail: dispositionText(info.disposition) ?? "" };
    case "cancelled":
      return { title: "This return was cancelled", detail: "Contact the sender if you still want to return it." };
    default:
      return { title: statusLabel(view.status), detail: "" };
  }
}

const DROP_OFF_STEPS: Record<string, string> = {
  scheduled: "Drop-off arranged",
  collected: "Handed in at the store",
};

/** A step of a return's timeline: a drop-off is not "collected" by anyone but the store. */
export function returnStepLabel(status: string, method: string): string {
  return (method === "store_dropoff" ? DROP_OFF_STEPS[status] : undefined) ?? statusLabel(status);
}

/** Whether the page shows the drop-off code and QR: until the store has taken the return in. */
export function showsDropOffCode(view: { status: string; return_info?: ReturnInfoView | null }): boolean {
  const info = view.return_info;
  return (
    info !== null &&
    info !== undefined &&
    info.method === "store_dropoff" &&
    info.dropped_at === null &&
    (view.status === "requested" || view.status === "scheduled")
  );
}
