// One replay of the outbox: images first (PUT /api/media/{sha256}), then commands in batches (POST /api/sync),
// each outcome settled in IndexedDB. Worker-safe: the page and the service worker's Background Sync both run it.
import { currentUser } from "../api/auth";
import { api as pageClient, ApiError, NetworkError, type ApiClient } from "../api/client";
import { postSync, putMedia, type SyncCommand, type SyncResult } from "../api/driver";
import {
  getMedia,
  outboxAfter,
  outboxCount,
  setMediaUploaded,
  setMeta,
  settleCommands,
  type Command,
  type RejectedCommand,
} from "./db";

/** Commands per POST /api/sync (the server takes up to 100). */
export const BATCH_SIZE = 50;
/** The Web Locks name that keeps two replays (tabs, the service worker) from running at once. */
export const REPLAY_LOCK = "doorstep-outbox-replay";
/** The BroadcastChannel on which a replay says the outbox changed (other tabs recount). */
export const OUTBOX_CHANNEL = "doorstep-outbox";
/** The Background Sync tag the page registers and the service worker answers. */
export const SYNC_TAG = "doorstep-outbox";
/** The message the service worker posts to open pages: "replay your outbox now". */
export const SYNC_MESSAGE = "doorstep-sync";

/**
 * done: every command was sent and answered (some may wait for a retry: see `retried`);
 * offline: no answer (network, timeout); signed-out: 401; server-error: another non-2xx; busy: another replay runs.
 */
export type ReplayOutcome = "done" | "offline" | "signed-out" | "server-error" | "busy";

export interface ReplayReport {
  outcome: ReplayOutcome;
  /** Commands the server applied now or had already (duplicate): gone from the outbox. */
  applied: number;
  /** Commands refused for good in this round, moved to the rejected store. */
  rejected: RejectedCommand[];
  /** Commands the server asked for again (media_missing): still queued. */
  retried: number;
  /** Commands still in the outbox after this round. */
  pending: number;
  /** What went wrong, in plain words, when the outcome is not done. */
  error: string | null;
  /** The server's Retry-After, when it gave one. */
  retryAfterS: number | undefined;
  /** When the server last answered for commands in this round (ISO), else null. */
  syncedAt: string | null;
}

export interface ReplayOptions {
  client?: ApiClient;
  batchSize?: number;
  now?: () => Date;
}

/** A reason of the app's own for a refused action, beside the server's. */
const MEDIA_REFUSED: Record<number, string> = {
  400: "A photo was damaged on the way to the server, so this action could not be sent. The photo is kept on this phone.",
  413: "A photo is larger than the server takes (8 MB), so this action could not be sent. The photo is kept on this phone.",
  415: "A photo is not a JPEG, PNG or WebP image, so this action could not be sent. The photo is kept on this phone.",
};
const MEDIA_LOST = "A photo of this action is no longer on this phone and the server does not have it, so it could not be sent.";
export const SIGNED_OUT_MESSAGE = "Your session has ended. Sign in again to send the actions waiting on this phone.";

class Stop extends Error {
  constructor(
    readonly outcome: "offline" | "signed-out" | "server-error",
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

function stopFor(error: unknown): Stop {
  if (error instanceof Stop) return error;
  if (error instanceof NetworkError) return new Stop("offline", "No connection to the server.");
  if (error instanceof ApiError) {
    if (error.status === 401) return new Stop("signed-out", SIGNED_OUT_MESSAGE);
    return new Stop("server-error", `The server answered ${error.status} (${error.title}).`, error.retryAfterS);
  }
  return new Stop("server-error", error instanceof Error ? error.message : String(error));
}

function isCsrfFailure(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && /csrf/i.test(error.type);
}

/** The command as POST /api/sync takes it: without the app's seq and media list. */
export function toWire(command: Command): SyncCommand {
  const { id, type, route_id, stop_id, order_id, occurred_at, payload } = command;
  return { id, type, route_id, stop_id, order_id, occurred_at, payload };
}

/** Replays the whole outbox once, oldest first. Never drops a command without a final answer for it. */
export async function replayOutbox(options: ReplayOptions = {}): Promise<ReplayReport> {
  const client = options.client ?? pageClient;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const now = options.now ?? (() => new Date());
  const report: ReplayReport = {
    outcome: "done",
    applied: 0,
    rejected: [],
    retried: 0,
    pending: 0,
    error: null,
    retryAfterS: undefined,
    syncedAt: null,
  };
  let csrfRenewed = false;

  /** A call, again once with a new CSRF token when the page lost its own (opened offline, say). */
  async function call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!isCsrfFailure(error) || csrfRenewed) throw error;
      csrfRenewed = true;
      if ((await currentUser(client)) === null) throw new Stop("signed-out", SIGNED_OUT_MESSAGE);
      return send();
    }
  }

  const refuse = (command: Command, reason: string, message: string): RejectedCommand => ({
    command,
    reason,
    message,
    rejected_at: now().toISOString(),
  });

  /** Uploads the command's images the server may not have; a refused one refuses the command. */
  async function uploadMedia(command: Command): Promise<RejectedCommand | null> {
    for (const sha of command.media) {
      const record = await getMedia(sha);
      if (!record || record.uploaded) continue; // not here: uploaded before and cleaned up, the server has it
      try {
        await call(() => putMedia(sha, new Blob([record.bytes], { type: record.type }), client));
      } catch (error) {
        if (error instanceof ApiError && MEDIA_REFUSED[error.status]) {
          return refuse(command, "media_refused", MEDIA_REFUSED[error.status] as string);
        }
        throw error;
      }
      await setMediaUploaded([sha], true);
    }
    return null;
  }

  /** Sends commands; a batch the server refuses as a whole (400/422) is sent one by one to find the bad one. */
  async function send(commands: Command[]): Promise<Array<[Command, SyncResult | undefined]>> {
    try {
      const response = await call(() => postSync(commands.map(toWire), client));
      const byId = new Map((response.results ?? []).map((r) => [r.id, r]));
      return commands.map((c) => [c, byId.get(c.id)]);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) throw error;
      if (commands.length === 1) {
        const message = `The server could not read this action: ${error.detail ?? error.title}`;
        return [[commands[0] as Command, { id: (commands[0] as Command).id, outcome: "rejected", reason: "invalid", message }]];
      }
      const results: Array<[Command, SyncResult | undefined]> = [];
      for (const command of commands) results.push(...(await send([command])));
      return results;
    }
  }

  let talked = false;
  try {
    let cursor = -1;
    for (;;) {
      const batch = await outboxAfter(cursor, batchSize);
      if (batch.length === 0) break;
      cursor = (batch[batch.length - 1] as Command).seq;

      const sendable: Command[] = [];
      const refused: RejectedCommand[] = [];
      for (const command of batch) {
        const refusal = await uploadMedia(command);
        if (refusal) refused.push(refusal);
        else sendable.push(command);
      }
      await settleCommands([], refused);
      report.rejected.push(...refused);
      if (sendable.length === 0) continue;

      const done: Command[] = [];
      const rejected: RejectedCommand[] = [];
      const again: Command[] = [];
      const answers = await send(sendable);
      talked = true;
      for (const [command, result] of answers) {
        if (!result) continue; // no answer for it: sent again next round, same id
        if (result.outcome === "applied" || result.outcome === "duplicate") done.push(command);
        else if (result.outcome === "rejected") {
          const message = result.message ?? "The server refused this action.";
          rejected.push(refuse(command, result.reason ?? "rejected", message));
        } else again.push(command);
      }
      for (const command of again) {
        const missing = (await Promise.all(command.media.map(getMedia))).some((m) => m === null);
        if (missing && command.media.length > 0) rejected.push(refuse(command, "media_lost", MEDIA_LOST));
        else {
          await setMediaUploaded(command.media, false);
          report.retried++;
        }
      }
      await settleCommands(done, rejected);
      report.applied += done.length;
      report.rejected.push(...rejected);
    }
    if (talked) {
      report.syncedAt = now().toISOString();
      await setMeta("lastSyncAt", report.syncedAt);
    }
  } catch (error) {
    const stop = stopFor(error);
    report.outcome = stop.outcome;
    report.error = stop.message;
    report.retryAfterS = stop.retryAfterS;
  }
  report.pending = await outboxCount();
  if (report.applied > 0 || report.rejected.length > 0) announceChange();
  return report;
}

/** replayOutbox, unless another tab or the service worker is replaying now (then "busy"). */
export async function replayExclusive(options: ReplayOptions = {}): Promise<ReplayReport> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return replayOutbox(options);
  return locks.request(REPLAY_LOCK, { ifAvailable: true }, async (lock) =>
    lock
      ? replayOutbox(options)
      : {
          outcome: "busy" as const,
          applied: 0,
          rejected: [],
          retried: 0,
          pending: await outboxCount(),
          error: null,
          retryAfterS: undefined,
          syncedAt: null,
        },
  );
}

let channel: BroadcastChannel | null = null;

/** This page's (or worker's) one channel to the others: a channel never hears its own messages. */
export function outboxChannel(): BroadcastChannel | null {
  if (typeof BroadcastChannel === "undefined") return null;
  channel ??= new BroadcastChannel(OUTBOX_CHANNEL);
  return channel;
}

/** Tells other tabs (and pages, when the worker replayed) that the outbox changed. */
export function announceChange(): void {
  outboxChannel()?.postMessage({ type: "outbox-changed" });
}
