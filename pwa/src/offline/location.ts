// Location sharing and the driver socket: fixes from watchPosition while the route is in progress go out
// on /ws/driver; while it is down they wait in IndexedDB (the newest 5,000) and are backfilled by
// POST /api/positions. The same socket brings route changes (the day is reloaded) and new ETAs.
import { effect } from "@preact/signals";
import { currentUser } from "../api/auth";
import { ApiError, NetworkError } from "../api/client";
import { MAX_POSITION_POINTS, postPositions, type PositionPoint } from "../api/driver";
import { connectLive, socketUrl, type LiveConnection, type LiveFrame, type LiveOptions } from "../api/live";
import { day, sharingState } from "../state/driver";
import { session } from "../state/session";
import { addPoints, deletePointsThrough, getMeta, oldestPoints, pointCount, setMeta } from "./db";
import { applyEtas, refreshDay } from "./day";

export { sharingState } from "../state/driver";
export type { SharingState } from "../state/driver";

/** The most fixes kept while offline: over a working day at one a second, the newest 5,000 (about 1.5 h). */
export const MAX_BUFFERED_POINTS = 5_000;
/** Fixes closer together than this are not sent (the server takes 240 frames a minute). */
const MIN_FIX_INTERVAL_MS = 1_000;
/** A frame unanswered this long means the connection died without saying so: reconnect, keep its fixes. */
const ACK_TIMEOUT_MS = 20_000;
/** How often the watchdog and the backfill of buffered fixes look again. */
const TICK_MS = 5_000;
const BACKFILL_EVERY_MS = 30_000;

/** What sharing needs of navigator.geolocation (a fake in the tests). */
export interface GeolocationLike {
  watchPosition(
    success: (position: GeolocationPosition) => void,
    error: (error: GeolocationPositionError) => void,
    options?: PositionOptions,
  ): number;
  clearWatch(id: number): void;
}

export interface SharingOptions {
  geolocation?: GeolocationLike | null;
  connect?: (options: LiveOptions) => LiveConnection;
  url?: string;
}

interface Sharing {
  geolocation: GeolocationLike | null;
  connect: (options: LiveOptions) => LiveConnection;
  url: string;
  connection: LiveConnection | null;
  /** The server refused the socket (signed out): opened again at the next sign-in. */
  refused: boolean;
  live: boolean;
  watchId: number | null;
  paused: boolean;
  denied: boolean;
  lastFixAt: number;
  /** Frames sent and not yet acknowledged, oldest first: their fixes go back to the buffer if the socket drops. */
  inFlight: Array<{ points: PositionPoint[]; sentAt: number }>;
  backfilling: Promise<void> | null;
  lastBackfillAt: number;
}

let sharing: Sharing | null = null;

/** A Geolocation fix as /ws/driver takes it (backend/tracking/ingest.py, PointIn's ranges). */
export function toPoint(position: GeolocationPosition): PositionPoint {
  const { latitude, longitude, accuracy, speed, heading } = position.coords;
  const finite = (value: number | null) => (value === null || !Number.isFinite(value) ? null : value);
  const spd = finite(speed);
  const hdg = finite(heading);
  const acc = finite(accuracy);
  return {
    lat: latitude,
    lon: longitude,
    at: new Date(position.timestamp).toISOString(),
    accuracy: acc === null ? null : Math.min(Math.max(acc, 0), 100_000),
    speed: spd === null || spd < 0 ? null : Math.min(spd, 150),
    heading: hdg === null || hdg < 0 || hdg > 360 ? null : hdg,
  };
}

function render(): void {
  if (!sharing) {
    sharingState.value = "off";
    return;
  }
  sharingState.value = sharing.paused
    ? "paused"
    : sharing.denied
      ? "denied"
      : sharing.watchId === null
        ? "off"
        : sharing.live
          ? "live"
          : "buffering";
}

function buffer(points: PositionPoint[]): void {
  if (points.length > 0) void addPoints(points, MAX_BUFFERED_POINTS).catch((e: unknown) => console.warn("Fixes lost", e));
}

/** The socket dropped: what was sent without an answer may be lost, so it goes back to the buffer. */
function requeueInFlight(s: Sharing): void {
  buffer(s.inFlight.flatMap((f) => f.points));
  s.inFlight = [];
}

function onFix(s: Sharing, position: GeolocationPosition): void {
  if (s.denied) {
    s.denied = false;
    render();
  }
  const now = Date.now();
  if (now - s.lastFixAt < MIN_FIX_INTERVAL_MS) return;
  s.lastFixAt = now;
  const point = toPoint(position);
  if (s.live && s.connection?.send({ type: "position", ...point })) s.inFlight.push({ points: [point], sentAt: now });
  else buffer([point]);
}

function onFrame(frame: LiveFrame): void {
  const data = (frame.data ?? {}) as Record<string, unknown>;
  switch (frame.type) {
    case "ack":
      sharing?.inFlight.shift();
      break;
    case "route.updated":
      void refreshDay().catch(() => undefined); // offline: the next refresh brings it
      break;
    case "etas":
      if (typeof data["route_id"] === "string" && Array.isArray(data["stops"])) {
        void applyEtas(data["route_id"], data["stops"] as Array<Record<string, unknown>>).catch(() => undefined);
      }
      break;
  }
}

function onError(frame: LiveFrame): void {
  const s = sharing;
  const data = (frame.data ?? {}) as Record<string, unknown>;
  if (!s || data["index"] !== undefined) return; // some points refused for good; the frame's ack follows
  const frameOf = s.inFlight.shift(); // answered instead of an ack
  if (frameOf && data["retry"] === true) buffer(frameOf.points); // the server's database is away: later
}

function openSocket(s: Sharing): void {
  s.refused = false;
  s.connection = s.connect({
    url: s.url,
    onFrame,
    onError,
    onResync: () => void refreshDay().catch(() => undefined), // back after a drop: a re-plan may have been missed
    onStatus: (status) => {
      const live = status === "live";
      if (!live && s.live) requeueInFlight(s);
      s.live = live;
      if (status === "stopped" && s.connection !== null) s.refused = true;
      if (live) void backfill(s);
      render();
    },
  });
}

function reopenSocket(s: Sharing): void {
  const old = s.connection;
  s.connection = null;
  old?.close();
  requeueInFlight(s);
  s.live = false;
  openSocket(s);
  render();
}

/** Sends the buffered fixes by HTTP, 1,000 at a time, oldest first. One at a time. */
function backfill(s: Sharing): Promise<void> {
  s.backfilling ??= (async () => {
    s.lastBackfillAt = Date.now();
    let csrfRenewed = false;
    try {
      for (;;) {
        const points = await oldestPoints(MAX_POSITION_POINTS);
        const last = points[points.length - 1];
        if (!last) break;
        try {
          await postPositions(points.map(({ seq: _seq, ...point }) => point));
        } catch (error) {
          if (error instanceof ApiError && error.status === 403 && !csrfRenewed) {
            csrfRenewed = true;
            if ((await currentUser()) === null) break;
            continue;
          }
          // A batch the server cannot read would be refused for ever: it goes, the rest can follow.
          if (!(error instanceof ApiError && (error.status === 400 || error.status === 422))) throw error;
          console.warn("Buffered positions refused by the server", error);
        }
        await deletePointsThrough(last.seq);
      }
    } catch (error) {
      if (!(error instanceof NetworkError || error instanceof ApiError)) console.warn("Backfill failed", error);
    } finally {
      s.backfilling = null;
    }
  })();
  return s.backfilling;
}

function tick(s: Sharing): void {
  const oldest = s.inFlight[0];
  if (s.live && oldest && Date.now() - oldest.sentAt > ACK_TIMEOUT_MS) reopenSocket(s);
  if (Date.now() - s.lastBackfillAt > BACKFILL_EVERY_MS && (typeof navigator === "undefined" || navigator.onLine)) {
    // also when the socket cannot connect at all (a proxy without websockets) but HTTP works
    void pointCount().then((n) => (n > 0 && sharing === s ? backfill(s) : undefined));
  }
}

function watch(s: Sharing, on: boolean): void {
  if (on && s.watchId === null && s.geolocation) {
    s.watchId = s.geolocation.watchPosition(
      (position) => onFix(s, position),
      (error) => {
        if (error.code !== 1) return; // no fix yet, or too slow: the watch goes on
        s.denied = true;
        watch(s, false);
        render();
      },
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 },
    );
  } else if (!on && s.watchId !== null) {
    s.geolocation?.clearWatch(s.watchId);
    s.watchId = null;
  }
}

function update(s: Sharing): void {
  const routeActive = day.value?.route.status === "in_progress";
  watch(s, routeActive && !s.paused && !s.denied);
  render();
}

/**
 * Opens the driver socket (route changes, ETAs) and shares the location while the day's route is in
 * progress and the driver has not paused it. Returns the function that stops both (sign-out).
 */
export function startSharing(options: SharingOptions = {}): () => void {
  stopSharing();
  const geolocation =
    options.geolocation !== undefined
      ? options.geolocation
      : typeof navigator !== "undefined" && "geolocation" in navigator
        ? navigator.geolocation
        : null;
  const s: Sharing = {
    geolocation,
    connect: options.connect ?? connectLive,
    url: options.url ?? socketUrl("/ws/driver"),
    connection: null,
    refused: false,
    live: false,
    watchId: null,
    paused: false,
    denied: geolocation === null,
    lastFixAt: 0,
    inFlight: [],
    backfilling: null,
    lastBackfillAt: 0,
  };
  sharing = s;
  openSocket(s);
  const timer = setInterval(() => tick(s), TICK_MS);
  const stopEffects = [
    effect(() => update(s)),
    effect(() => {
      if (session.value.status === "signed-in" && s.refused) openSocket(s);
    }),
  ];
  void getMeta("sharingPaused").then((paused) => {
    if (paused && sharing === s) {
      s.paused = true;
      update(s);
    }
  });
  stopCurrent = () => {
    clearInterval(timer);
    for (const stop of stopEffects) stop();
    watch(s, false);
    s.connection?.close();
    requeueInFlight(s);
    s.connection = null;
    s.live = false;
    sharing = null;
    render();
  };
  return stopSharing;
}

let stopCurrent: (() => void) | null = null;

function stopSharing(): void {
  const stop = stopCurrent;
  stopCurrent = null;
  stop?.();
}

/** The driver stops sharing the location (kept across restarts); the socket stays for route changes. */
export function pauseSharing(): void {
  void setMeta("sharingPaused", true);
  if (!sharing) return;
  sharing.paused = true;
  update(sharing);
}

/** Shares again; after a refusal it asks for permission again. */
export function resumeSharing(): void {
  void setMeta("sharingPaused", false);
  if (!sharing) return;
  sharing.paused = false;
  sharing.denied = sharing.geolocation === null;
  update(sharing);
}
