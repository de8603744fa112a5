// What each /ws/track frame does to the delivery on screen: pure, so the rules are tested. A snapshot
// replaces the view; position, eta and status frames change their part of it; a status change also asks
// for a fresh snapshot, because it changes more than the status (the ETA, the driver, what may be edited).
//
// Every frame carries a seq (the server's clock in ms when it was published, or when a snapshot was built).
// A snapshot can be built while an ETA is being written and reach the page after the eta frame that
// followed the write, so each live part remembers the seq of the frame that last set it, and a snapshot
// older than that part keeps the part as the frame left it.
import type { LiveFrame } from "../../api/live";
import type { DriverPosition, TrackingView } from "../../api/tracking";
import type { LiveView } from "../../state/tracking";
import { CLOSED_STATUSES, EDITABLE_STATUSES } from "./wording";

export interface FrameOutcome {
  live: LiveView;
  /** Ask the server for the whole view again (a resume on the socket). */
  refresh: boolean;
}

/** The first view: every part as the server built it. */
export function liveView(view: TrackingView): LiveView {
  return { view, etaSeq: view.seq, driverSeq: view.seq, statusSeq: view.seq };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTrackingView(value: unknown): value is TrackingView {
  return (
    isObject(value) &&
    typeof value["status"] === "string" &&
    typeof value["lat"] === "number" &&
    typeof value["lon"] === "number" &&
    typeof value["seq"] === "number" &&
    Array.isArray(value["timeline"])
  );
}

/** The frame's seq; a frame without one counts as newest (the server always sends one but heartbeats). */
function seqOf(frame: LiveFrame): number {
  return typeof frame.seq === "number" && Number.isFinite(frame.seq) ? frame.seq : Number.MAX_SAFE_INTEGER;
}

function isClosed(status: string): boolean {
  return CLOSED_STATUSES.has(status) || status === "failed";
}

/**
 * A snapshot over the view on screen: the snapshot's, except the parts that frames newer than it set.
 * An answer older than the view on screen is dropped whole.
 */
function mergeSnapshot(current: LiveView, snapshot: TrackingView): LiveView {
  const seq = snapshot.seq;
  if (seq < current.view.seq) return current;
  const { view } = current;
  let next: TrackingView = snapshot;
  if (current.statusSeq > seq) {
    next = { ...next, status: view.status, timeline: view.timeline, closed_at: view.closed_at };
    next.instructions_editable &&= EDITABLE_STATUSES.has(next.status);
  }
  if (isClosed(next.status)) {
    next = { ...next, eta: null, stops_away: null, driver: null };
  } else {
    if (current.etaSeq > seq) next = { ...next, eta: view.eta, stops_away: view.stops_away };
    if (current.driverSeq > seq) next = { ...next, driver: view.driver };
  }
  return {
    view: next,
    etaSeq: Math.max(current.etaSeq, seq),
    driverSeq: Math.max(current.driverSeq, seq),
    statusSeq: Math.max(current.statusSeq, seq),
  };
}

/** The live view after one frame; the same object when the frame changes nothing. */
export function applyTrackingFrame(current: LiveView, frame: LiveFrame): FrameOutcome {
  const unchanged = { live: current, refresh: false };
  const { view } = current;
  const data = frame.data;
  const seq = seqOf(frame);
  switch (frame.type) {
    case "snapshot": {
      if (!isTrackingView(data)) return unchanged;
      return { live: mergeSnapshot(current, data), refresh: false };
    }
    case "position": {
      if (!isObject(data) || typeof data["lat"] !== "number" || typeof data["lon"] !== "number") return unchanged;
      if (seq < current.driverSeq || isClosed(view.status)) return unchanged;
      const at = typeof data["at"] === "string" ? data["at"] : new Date().toISOString();
      if (view.driver && Date.parse(at) < Date.parse(view.driver.at)) return unchanged; // a fix older than shown
      const driver: DriverPosition = {
        lat: data["lat"],
        lon: data["lon"],
        heading: typeof data["heading"] === "number" ? data["heading"] : null,
        at,
      };
      return { live: { ...current, view: { ...view, driver }, driverSeq: seq }, refresh: false };
    }
    case "eta": {
      if (!isObject(data) || seq < current.etaSeq || isClosed(view.status)) return unchanged;
      const { eta_at, earliest_at, latest_at, stops_away } = data;
      if (typeof eta_at !== "string" || typeof earliest_at !== "string" || typeof latest_at !== "string") {
        return unchanged;
      }
      const away = typeof stops_away === "number" ? stops_away : view.stops_away;
      // another stop is the driver's next now: their position is no longer this customer's to see
      const hideDriver = away !== null && away > 0 && view.driver !== null;
      return {
        live: {
          ...current,
          view: {
            ...view,
            eta: { eta_at, earliest_at, latest_at, live: true },
            stops_away: away,
            ...(hideDriver ? { driver: null } : {}),
          },
          etaSeq: seq,
          ...(hideDriver ? { driverSeq: Math.max(current.driverSeq, seq) } : {}),
        },
        refresh: false,
      };
    }
    case "status": {
      if (!isObject(data) || typeof data["status"] !== "string") return unchanged;
      if (seq < current.statusSeq) return { live: current, refresh: true };
      const status = data["status"];
      const at = typeof data["at"] === "string" ? data["at"] : new Date().toISOString();
      const last = view.timeline[view.timeline.length - 1];
      const timeline = last?.status === status ? view.timeline : [...view.timeline, { status, at }];
      const closed = isClosed(status);
      return {
        live: {
          view: {
            ...view,
            status,
            timeline,
            instructions_editable: view.instructions_editable && EDITABLE_STATUSES.has(status),
            ...(closed ? { driver: null, eta: null, stops_away: null } : {}),
            ...(CLOSED_STATUSES.has(status) ? { closed_at: at } : {}),
          },
          statusSeq: seq,
          etaSeq: closed ? Math.max(current.etaSeq, seq) : current.etaSeq,
          driverSeq: closed ? Math.max(current.driverSeq, seq) : current.driverSeq,
        },
        refresh: true,
      };
    }
    default: // heartbeat and anything newer than this page: nothing to show
      return unchanged;
  }
}
