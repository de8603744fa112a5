// What the tracking page does: read the delivery by HTTP (which also says clearly when a link is unknown,
// expired or asked for too often), then follow it on /ws/track and apply each frame (tracking-frames.ts).
// While the socket is down, each reconnect attempt past the first reads the view by HTTP instead, so the
// page stays current and learns when the link stopped working (the server refuses the socket's handshake
// then, which a browser only sees as a dropped connection).
import { ApiError, NetworkError } from "../../api/client";
import { connectLive, socketUrl, type LiveConnection } from "../../api/live";
import {
  getTracking,
  sayHere,
  TRACKING_FINAL_CLOSE_CODES,
  trackingSocketPath,
  updateInstructions,
  type CustomerHere,
  type TrackingView,
} from "../../api/tracking";
import { tracking, trackingLive, type TrackingState } from "../../state/tracking";
import { applyTrackingFrame, liveView } from "./tracking-frames";

/**
 * How long after a status frame the page asks for the whole view again. A status change comes in the
 * middle of the burst one position sets off on the server (the geofence's "arriving", then the position,
 * then the new ETAs); a snapshot asked for at once can read the ETA before it is written, and the server
 * stamps its seq after reading, so the page could not tell it is older than the eta frame before it.
 */
const REFRESH_DELAY_MS = 750;

/** A refusal that means the link itself is gone: the page says so instead of the delivery. */
function linkGone(error: unknown): TrackingState | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 404) return { status: "not-found" };
  if (error.status === 410) return { status: "expired", detail: error.detail ?? null };
  return null;
}

function failure(error: unknown): TrackingState {
  const gone = linkGone(error);
  if (gone) return gone;
  if (error instanceof NetworkError) return { status: "offline" };
  if (error instanceof ApiError && error.status === 429) return { status: "rate-limited", retryAfterS: error.retryAfterS };
  if (error instanceof ApiError && error.status >= 500) {
    return { status: "failed", message: `The tracking service had a problem (${error.status}). Try again in a moment.` };
  }
  return { status: "failed", message: "Something went wrong. Try again." };
}

/** Shows a view read by HTTP as the socket's snapshots are: what frames newer than it set stays. */
function show(view: TrackingView): void {
  const current = tracking.value;
  if (current.status !== "ready") {
    tracking.value = { status: "ready", live: liveView(view) };
    return;
  }
  const { live } = applyTrackingFrame(current.live, { type: "snapshot", seq: view.seq, data: view });
  if (live !== current.live) tracking.value = { status: "ready", live };
}

/**
 * Opens the tracking of one link: the first read, then live updates until the returned function is
 * called (the page closes). `retry` reads again after a failure page's "Try again".
 */
export function openTracking(token: string): { stop: () => void; retry: () => void } {
  let stopped = false;
  let connection: LiveConnection | null = null;
  let failedAttempts = 0;
  let reading: Promise<void> | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;

  async function read(): Promise<void> {
    if (stopped) return;
    try {
      const view = await getTracking(token);
      if (stopped) return;
      show(view);
      startLive();
    } catch (error) {
      if (stopped) return;
      const gone = linkGone(error);
      if (gone) {
        stopLive();
        tracking.value = gone;
      } else if (tracking.value.status !== "ready") {
        tracking.value = failure(error); // a later read that fails keeps the delivery on screen
      }
    }
  }

  /** One read at a time: a burst of status frames or reconnects asks once. */
  function readOnce(): void {
    reading ??= read().finally(() => {
      reading = null;
    });
  }

  /** Asks for the whole view once the burst a status frame came in is over: on the socket, else by HTTP. */
  function refreshSoon(): void {
    if (refreshTimer !== null || stopped) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      const current = tracking.value;
      const after = current.status === "ready" ? current.live.view.seq : null;
      if (!connection?.send({ type: "resume", after })) readOnce();
    }, REFRESH_DELAY_MS);
  }

  function startLive(): void {
    if (connection !== null || stopped) return;
    connection = connectLive({
      url: socketUrl(trackingSocketPath(token)),
      readyOn: "snapshot",
      seqFrom: "any",
      finalCloseCodes: TRACKING_FINAL_CLOSE_CODES,
      onFrame: (frame) => {
        const current = tracking.value;
        if (current.status !== "ready") return;
        const outcome = applyTrackingFrame(current.live, frame);
        if (outcome.live !== current.live) tracking.value = { status: "ready", live: outcome.live };
        if (outcome.refresh) refreshSoon();
      },
      onResync: readOnce,
      onStatus: (status, detail) => {
        trackingLive.value = status;
        if (status === "live") failedAttempts = 0;
        if (status === "reconnecting" && ++failedAttempts >= 2) readOnce();
        if (status === "stopped" && detail.closeCode !== undefined) readOnce(); // the read says why
      },
    });
  }

  function stopLive(): void {
    const open = connection;
    connection = null;
    open?.close();
  }

  tracking.value = { status: "loading" };
  trackingLive.value = "connecting";
  readOnce();
  return {
    stop() {
      stopped = true;
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      stopLive();
    },
    retry() {
      if (tracking.value.status !== "ready") tracking.value = { status: "loading" };
      readOnce();
    },
  };
}

/** Saves the customer's instructions; throws ApiError (409 once out for delivery) or NetworkError for the form. */
export async function saveInstructions(token: string, instructions: string): Promise<TrackingView> {
  let view: TrackingView;
  try {
    view = await updateInstructions(token, instructions);
  } catch (error) {
    const gone = linkGone(error);
    if (gone) tracking.value = gone;
    throw error;
  }
  show(view);
  return view;
}

/**
 * "I'm here": tells the store, then shows it on the pickup at once (the next snapshot says the same). Throws
 * ApiError (404 once the pickup is no longer waiting) or NetworkError for the form.
 */
export async function tellStoreHere(token: string, here: CustomerHere): Promise<void> {
  let answer: Awaited<ReturnType<typeof sayHere>>;
  try {
    answer = await sayHere(token, here);
  } catch (error) {
    const gone = linkGone(error);
    if (gone?.status === "expired") tracking.value = gone; // a 404 here is the pickup's, not the link's
    throw error;
  }
  const current = tracking.value;
  if (current.status !== "ready" || !current.live.view.pickup) return;
  const pickup = { ...current.live.view.pickup, customer_arrived_at: answer.arrived_at, curbside: answer.curbside };
  tracking.value = { status: "ready", live: { ...current.live, view: { ...current.live.view, pickup } } };
}
