// When the outbox is replayed: at start, on `online`, when the app comes back to the screen, after each
// action, at the service worker's Background Sync, and after a failure with exponential backoff (1 s..60 s).
import { effect } from "@preact/signals";
import { ApiError, NetworkError } from "../api/client";
import { day, rejected, setSyncStatus, syncStatus, pendingStops } from "../state/driver";
import { session } from "../state/session";
import { deleteOrphanMedia, getMeta, listRejected, outboxAll } from "./db";
import { loadDay, refreshDay } from "./day";
import { stopsWithPending } from "./day-model";
import {
  outboxChannel,
  replayExclusive,
  SIGNED_OUT_MESSAGE,
  SYNC_MESSAGE,
  SYNC_TAG,
  type ReplayReport,
} from "./replay";

const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** Another tab (or the worker) is replaying: look again after this long. */
const BUSY_RECHECK_MS = 5_000;
/** An app back on screen after this long asks the server for the day again. */
const REFRESH_AFTER_MS = 60_000;
/** Images stored this long ago that no action refers to (the driver abandoned the form) are deleted. */
const ORPHAN_MEDIA_AGE_MS = 24 * 60 * 60 * 1000;

/** The pause after `failures` failed rounds in a row: doubling from 1 s to 60 s, the upper half random. */
export function backoffDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

let running: Promise<void> | null = null;
let again = false;
let failures = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastRefreshAt = 0;
/** stopSync was called (sign-out): a round still running schedules no retry. syncNow starts again. */
let halted = false;
/** What startSync listens to, undone by stopSync. */
const listeners: Array<() => void> = [];

function schedule(ms: number): void {
  if (halted) return;
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void syncNow();
  }, ms);
}

/**
 * Replays the outbox now. Single-flight: a call during a replay makes one more round after it (an action
 * queued meanwhile is not left waiting); across tabs and the service worker, Web Locks keep it to one.
 */
export function syncNow(): Promise<void> {
  halted = false;
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await round();
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

/** After an action: replay now (the network may be back), and ask for Background Sync in case it is not. */
export function syncSoon(): void {
  void registerBackgroundSync();
  void syncNow();
}

async function round(): Promise<void> {
  setSyncStatus({ syncing: true });
  let report: ReplayReport;
  try {
    report = await replayExclusive();
  } catch (error) {
    // IndexedDB itself failed (storage full, private mode): say so, try again later
    setSyncStatus({ syncing: false, lastError: `This phone could not read its outbox: ${String(error)}` });
    failures++;
    schedule(backoffDelayMs(failures));
    return;
  }
  await refreshOutboxState();
  setSyncStatus({
    syncing: false,
    pending: report.pending,
    ...(report.syncedAt ? { lastSyncAt: report.syncedAt } : {}),
    ...(report.outcome === "busy" ? {} : { lastError: report.error }),
  });
  if (report.applied > 0 || report.rejected.length > 0) await refreshDayQuietly();

  if (report.outcome === "busy") {
    schedule(BUSY_RECHECK_MS);
  } else if (report.outcome === "signed-out") {
    failures = 0; // nothing to retry until the driver signs in again (the session signal says when)
  } else if (report.outcome === "done" && report.retried === 0) {
    failures = 0;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  } else {
    failures++;
    schedule(Math.max(backoffDelayMs(failures), (report.retryAfterS ?? 0) * 1000));
    void registerBackgroundSync();
  }
}

/** The pending count, the stops waiting and the refused list, read again from IndexedDB. */
export async function refreshOutboxState(): Promise<void> {
  const [outbox, refused] = await Promise.all([outboxAll(), listRejected()]);
  pendingStops.value = stopsWithPending(outbox);
  rejected.value = refused;
  setSyncStatus({ pending: outbox.length });
}

/** The day from the server; a failure is shown in the status, never thrown (the stored day stands). */
async function refreshDayQuietly(): Promise<void> {
  try {
    await refreshDay();
    lastRefreshAt = Date.now();
    if (syncStatus.value.lastError === SIGNED_OUT_MESSAGE && syncStatus.value.pending === 0) {
      setSyncStatus({ lastError: null });
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) setSyncStatus({ lastError: SIGNED_OUT_MESSAGE });
    else if (!(error instanceof NetworkError)) console.warn("The day could not be refreshed.", error);
  }
}

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/** Asks the browser to wake the service worker once it is online (Chromium; elsewhere the page replays). */
async function registerBackgroundSync(): Promise<void> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const manager = (registration as (ServiceWorkerRegistration & { sync?: SyncManagerLike }) | undefined)?.sync;
    await manager?.register(SYNC_TAG);
  } catch {
    // refused (no permission, no active worker yet): the page's own triggers still replay
  }
}

/**
 * Starts the offline loop: the stored day and counts into the signals, a replay and a fresh day, then the
 * triggers. Returns the function that stops it (sign-out).
 */
export function startSync(): () => void {
  stopSync();
  halted = false;
  const listen = (target: EventTarget, type: string, listener: (event: Event) => void) => {
    target.addEventListener(type, listener);
    listeners.push(() => target.removeEventListener(type, listener));
  };

  void (async () => {
    try {
      const [lastSyncAt] = await Promise.all([getMeta("lastSyncAt"), day.value ? null : loadDay(), refreshOutboxState()]);
      if (lastSyncAt) setSyncStatus({ lastSyncAt });
      await deleteOrphanMedia(new Date(Date.now() - ORPHAN_MEDIA_AGE_MS).toISOString());
    } catch (error) {
      setSyncStatus({ lastError: `This phone could not read its stored day: ${String(error)}` });
    }
    await syncNow();
    await refreshDayQuietly();
  })();

  if (typeof navigator !== "undefined") {
    void navigator.storage?.persist?.().catch(() => false); // ask that the outbox is never evicted
  }

  if (typeof window !== "undefined") {
    setSyncStatus({ online: navigator.onLine });
    listen(window, "online", () => {
      setSyncStatus({ online: true });
      failures = 0;
      void syncNow().then(refreshDayQuietly);
    });
    listen(window, "offline", () => setSyncStatus({ online: false }));
  }
  if (typeof document !== "undefined") {
    listen(document, "visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      void syncNow().then(() => (Date.now() - lastRefreshAt > REFRESH_AFTER_MS ? refreshDayQuietly() : undefined));
    });
  }
  if (typeof navigator !== "undefined" && "serviceWorker" in navigator) {
    listen(navigator.serviceWorker, "message", (event) => {
      const data: unknown = (event as MessageEvent).data;
      if (data && typeof data === "object" && (data as { type?: unknown }).type === SYNC_MESSAGE) void syncNow();
    });
  }
  const channel = outboxChannel();
  if (channel) {
    listen(channel, "message", () => {
      void refreshOutboxState().then(refreshDayQuietly);
    });
  }
  let wasSignedIn = session.value.status === "signed-in";
  listeners.push(
    effect(() => {
      const signedIn = session.value.status === "signed-in";
      if (signedIn && !wasSignedIn) void syncNow().then(refreshDayQuietly);
      wasSignedIn = signedIn;
    }),
  );

  return stopSync;
}

/** Stops the triggers and any retry waiting (sign-out). A replay already running finishes. */
export function stopSync(): void {
  halted = true;
  for (const stop of listeners.splice(0)) stop();
  if (timer !== null) clearTimeout(timer);
  timer = null;
  failures = 0;
}
