import { describe, expect, it } from "vitest";
import type { LiveFrame } from "../../api/live";
import type { TrackingView } from "../../api/tracking";
import { applyTrackingFrame, liveView } from "./tracking-frames";

const VIEW: TrackingView = {
  reference: "R-1",
  organization_name: "Shop",
  kind: "delivery",
  status: "out_for_delivery",
  recipient_name: "Ada",
  address: "Eerikinkatu 1",
  lat: 60.1679,
  lon: 24.9372,
  window_start_at: null,
  window_end_at: null,
  instructions: null,
  instructions_editable: false,
  timeline: [{ status: "out_for_delivery", at: "2026-11-25T09:00:00Z" }],
  eta: { eta_at: "2026-11-25T10:30:00Z", earliest_at: "2026-11-25T10:00:00Z", latest_at: "2026-11-25T11:00:00Z", live: false },
  stops_away: 0,
  driver_name: "Dave",
  driver: null,
  closed_at: null,
  link_expires_at: null,
  seq: 1_000,
};

const LIVE = liveView(VIEW);
const DRIVER = { lat: 60.16, lon: 24.93, heading: null, at: "2026-11-25T10:01:00Z" };
const ETA = { order_id: "o", eta_at: "2026-11-25T10:20:00Z", earliest_at: "2026-11-25T10:15:00Z", latest_at: "2026-11-25T10:25:00Z" };
const frame = (type: string, data: unknown, seq: number | null = 2_000): LiveFrame => ({ type, seq, data });
const apply = (live: typeof LIVE, ...frames: LiveFrame[]) =>
  frames.reduce((current, next) => applyTrackingFrame(current, next).live, live);

describe("applyTrackingFrame", () => {
  it("moves the driver on a position, and ignores one older than the view or than the last", () => {
    const moved = applyTrackingFrame(LIVE, frame("position", { lat: 60.16, lon: 24.93, heading: 90, speed: 8, at: "2026-11-25T10:01:00Z" }));
    expect(moved.live.view.driver).toEqual({ lat: 60.16, lon: 24.93, heading: 90, at: "2026-11-25T10:01:00Z" });
    expect(moved.refresh).toBe(false);
    expect(applyTrackingFrame(LIVE, frame("position", { lat: 1, lon: 1, at: "2026-11-25T10:01:00Z" }, 999)).live).toBe(LIVE);
    const older = applyTrackingFrame(moved.live, frame("position", { lat: 1, lon: 1, at: "2026-11-25T10:00:30Z" }, 3_000));
    expect(older.live).toBe(moved.live);
  });

  it("takes a live ETA and the stops before theirs, and hides the driver once theirs is not the next stop", () => {
    const withDriver = liveView({ ...VIEW, driver: DRIVER });
    const next = applyTrackingFrame(withDriver, frame("eta", { ...ETA, stops_away: 0 })).live.view;
    expect(next.eta).toEqual({ eta_at: ETA.eta_at, earliest_at: ETA.earliest_at, latest_at: ETA.latest_at, live: true });
    expect(next.driver).toEqual(DRIVER);
    const later = applyTrackingFrame(withDriver, frame("eta", { ...ETA, stops_away: 2 })).live.view;
    expect(later.stops_away).toBe(2);
    expect(later.driver).toBeNull();
  });

  it("records a new status on the timeline and asks for the whole view again", () => {
    const outcome = applyTrackingFrame(LIVE, frame("status", { status: "arriving", at: "2026-11-25T10:10:00Z" }));
    expect(outcome.refresh).toBe(true);
    expect(outcome.live.view.status).toBe("arriving");
    expect(outcome.live.view.timeline.at(-1)).toEqual({ status: "arriving", at: "2026-11-25T10:10:00Z" });
  });

  it("drops the driver and the ETA when the delivery closes, and keeps them dropped", () => {
    const withDriver = liveView({ ...VIEW, driver: DRIVER });
    const done = applyTrackingFrame(withDriver, frame("status", { status: "delivered", at: "2026-11-25T10:12:00Z" })).live;
    expect(done.view).toMatchObject({ status: "delivered", driver: null, eta: null, stops_away: null, closed_at: "2026-11-25T10:12:00Z" });
    expect(applyTrackingFrame(done, frame("position", { lat: 1, lon: 1, at: "2026-11-25T10:13:00Z" }, 3_000)).live).toBe(done);
    // a snapshot built before the delivery: its status, driver and ETA are older than the frame's
    const stale = apply(done, frame("snapshot", { ...VIEW, driver: DRIVER, seq: 1_500 }, 1_500)).view;
    expect(stale).toMatchObject({ status: "delivered", driver: null, eta: null });
  });

  it("replaces the view with a newer snapshot, never with an older one", () => {
    const fresh = { ...VIEW, status: "arriving", seq: 5_000 };
    expect(applyTrackingFrame(LIVE, frame("snapshot", fresh, 5_000)).live.view).toEqual(fresh);
    const after = applyTrackingFrame(LIVE, frame("snapshot", fresh, 5_000)).live;
    expect(applyTrackingFrame(after, frame("snapshot", VIEW, 1_000)).live).toBe(after);
    expect(applyTrackingFrame(LIVE, frame("snapshot", { nonsense: true })).live).toBe(LIVE);
  });

  it("keeps the ETA and driver of frames newer than a snapshot built while they were being written", () => {
    // the snapshot (seq 2 000) read the old ETA; the eta frame (seq 2 001) reached the page first
    const ahead = apply(LIVE, frame("eta", { ...ETA, stops_away: 0 }, 2_001), frame("position", { ...DRIVER }, 2_002));
    const snapshot = { ...VIEW, status: "arriving", seq: 2_000 };
    const merged = apply(ahead, frame("snapshot", snapshot, 2_000)).view;
    expect(merged.status).toBe("arriving");
    expect(merged.eta?.eta_at).toBe(ETA.eta_at);
    expect(merged.driver).toEqual(DRIVER);
    // a snapshot built after them is taken whole
    const later = { ...VIEW, status: "arriving", seq: 3_000 };
    expect(apply(ahead, frame("snapshot", later, 3_000)).view).toEqual(later);
  });

  it("ignores heartbeats and frames it does not know", () => {
    expect(applyTrackingFrame(LIVE, frame("heartbeat", {}, null))).toEqual({ live: LIVE, refresh: false });
    expect(applyTrackingFrame(LIVE, frame("weather", { rain: true }))).toEqual({ live: LIVE, refresh: false });
  });
});
