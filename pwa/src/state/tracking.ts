// What the customer's tracking page shows: the delivery as the server last described it, or why it can't,
// and the live connection. views/track/track-actions.ts fetches and writes; nothing here fetches.
import { signal } from "@preact/signals";
import type { LiveStatus } from "../api/live";
import type { TrackingView } from "../api/tracking";

/**
 * The delivery on screen, and the seq of the frame that last set each of its live parts (a snapshot
 * built before that frame leaves the part alone: views/track/tracking-frames.ts).
 */
export interface LiveView {
  view: TrackingView;
  /** The ETA and the stops before theirs. */
  etaSeq: number;
  driverSeq: number;
  /** The status and the timeline. */
  statusSeq: number;
}

export type TrackingState =
  | { status: "loading" }
  /** The delivery, and how fresh each of its live parts is. */
  | { status: "ready"; live: LiveView }
  /** 404: no such link (mistyped, cut short). */
  | { status: "not-found" }
  /** 410: the delivery closed a while ago; detail is the server's sentence. */
  | { status: "expired"; detail: string | null }
  /** 429: this address asked too often; retryAfterS as the server said, when it did. */
  | { status: "rate-limited"; retryAfterS: number | undefined }
  /** The server could not be reached for the first answer. */
  | { status: "offline" }
  | { status: "failed"; message: string };

export const tracking = signal<TrackingState>({ status: "loading" });
/** The /ws/track connection: "live" while the page follows the driver. */
export const trackingLive = signal<LiveStatus>("connecting");
