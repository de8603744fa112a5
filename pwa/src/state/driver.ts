// What the driver screens show of the offline layer: the day, the sync status, refused actions, route
// changes and location sharing. offline/*.ts writes these; nothing here fetches or opens IndexedDB.
import { signal } from "@preact/signals";
import type { LocalDay, RejectedCommand } from "../offline/db";

export interface SyncStatus {
  /** The browser says it has a network (navigator.onLine; a captive portal still says true). */
  online: boolean;
  /** Actions waiting in the outbox. */
  pending: number;
  /** When the outbox was last confirmed in step with the server (ISO), or null if never. */
  lastSyncAt: string | null;
  /** A replay is running now. */
  syncing: boolean;
  /** Why the last attempt did not get through, in plain words; null after a good one. */
  lastError: string | null;
}

export interface RouteChange {
  /** Plain words: "2 stops added, 1 cancelled, order changed after stop 4". */
  summary: string;
  at: string;
}

/** off: no route in progress; live: sent as it comes; buffering: kept on the phone until the socket is back. */
export type SharingState = "off" | "live" | "buffering" | "denied" | "paused";

/** The day as the app shows it (the server's, with the driver's waiting actions applied), or null: no route. */
export const day = signal<LocalDay | null>(null);

export const syncStatus = signal<SyncStatus>({
  online: typeof navigator === "undefined" || navigator.onLine !== false,
  pending: 0,
  lastSyncAt: null,
  syncing: false,
  lastError: null,
});

/** Actions the server refused for good, oldest first, until the driver dismisses them. */
export const rejected = signal<RejectedCommand[]>([]);

/** Stops with actions still waiting to be sent (a "waiting to sync" mark on each). */
export const pendingStops = signal<ReadonlySet<string>>(new Set());

/** The last re-plan the driver has not dismissed yet (set routeChange.value = null to dismiss). */
export const routeChange = signal<RouteChange | null>(null);

export const sharingState = signal<SharingState>("off");

/** Patches the sync status. */
export function setSyncStatus(patch: Partial<SyncStatus>): void {
  syncStatus.value = { ...syncStatus.value, ...patch };
}
