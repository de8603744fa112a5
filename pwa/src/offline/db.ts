// The driver app's IndexedDB: the only file that knows its schema and version. Worker-safe (idb only):
// the service worker replays the outbox through it too. Every change that must hold together is one transaction.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { DriverDay, PositionPoint, SyncCommand } from "../api/driver";

export const DB_NAME = "doorstep-driver";
const DB_VERSION = 1;

/** An action the driver took, waiting to be sent; `seq` orders the outbox (IndexedDB's key generator). */
export interface Command extends SyncCommand {
  seq: number;
  /** The SHA-256 of each image the command refers to: uploaded before the command is sent. */
  media: string[];
}

/** An action the server (or the upload of its photo) refused for good, kept for the driver to read. */
export interface RejectedCommand {
  command: Command;
  /** The server's reason (stop_cancelled, reassigned, ...) or the app's own (media_refused, media_lost). */
  reason: string;
  /** A plain sentence for the driver. */
  message: string;
  rejected_at: string;
}

/** An image kept on the phone until the server has it (and no waiting or refused action refers to it). */
export interface MediaRecord {
  sha256: string;
  /** The bytes, not a Blob: an ArrayBuffer is stored the same way by every browser. */
  bytes: ArrayBuffer;
  type: string;
  size: number;
  /** The server answered 200/201 for these bytes; reset when it asks for them again (media_missing). */
  uploaded: boolean;
  stored_at: string;
}

/** A fix taken while the socket was down, kept for POST /api/positions. */
export interface BufferedPoint extends PositionPoint {
  seq: number;
}

/** What the driver did that the server's day does not show: parcels scanned, returns collected. */
export interface LocalMarks {
  scanned: Record<string, { stage: "loading" | "stop"; stop_id: string | null; at: string }>;
  collected: Record<string, { condition: string; stop_id: string | null; at: string }>;
}

/** The day as the app shows it: the server's last answer with the driver's waiting actions applied. */
export interface LocalDay extends DriverDay {
  local: LocalMarks;
}

export interface Meta {
  /** When the outbox was last confirmed in step with the server (ISO). */
  lastSyncAt: string;
  /** The driver paused location sharing (kept across restarts). */
  sharingPaused: boolean;
}

interface DriverDb extends DBSchema {
  day: { key: "current"; value: LocalDay };
  outbox: { key: number; value: Command };
  media: { key: string; value: MediaRecord };
  positions: { key: number; value: BufferedPoint };
  rejected: { key: string; value: RejectedCommand };
  meta: { key: string; value: unknown };
}

let opening: Promise<IDBPDatabase<DriverDb>> | null = null;

/** The open database (one connection per page or worker). */
export function db(): Promise<IDBPDatabase<DriverDb>> {
  opening ??= openDB<DriverDb>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore("day");
        database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        database.createObjectStore("media", { keyPath: "sha256" });
        database.createObjectStore("positions", { keyPath: "seq", autoIncrement: true });
        database.createObjectStore("rejected", { keyPath: "command.id" });
        database.createObjectStore("meta");
      }
    },
    blocking() {
      // A newer version opened in another tab (an app update): let it upgrade; the next call reopens.
      void closeDb();
    },
    terminated() {
      opening = null; // the browser closed it (storage cleared): open again on the next call
    },
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

export async function closeDb(): Promise<void> {
  const current = opening;
  opening = null;
  if (current) (await current.catch(() => null))?.close();
}

/** Deletes the whole database (tests). */
export async function deleteDb(): Promise<void> {
  await closeDb();
  await deleteDB(DB_NAME);
}

// ---------------------------------------------------------------- the day

export async function readDay(): Promise<LocalDay | null> {
  return (await (await db()).get("day", "current")) ?? null;
}

/**
 * Replaces the stored day with what `build` makes of the current one and the waiting commands, in one
 * transaction (so an action queued meanwhile is never lost from the screen). null deletes it.
 */
export async function updateDay(
  build: (current: LocalDay | null, outbox: Command[]) => LocalDay | null,
): Promise<LocalDay | null> {
  const tx = (await db()).transaction(["day", "outbox"], "readwrite");
  const [current, outbox] = await Promise.all([tx.objectStore("day").get("current"), tx.objectStore("outbox").getAll()]);
  const next = build(current ?? null, outbox);
  if (next) await tx.objectStore("day").put(next, "current");
  else await tx.objectStore("day").delete("current");
  await tx.done;
  return next;
}

/** Forgets the day and the buffered positions (sign-out); the outbox, its images and refused actions stay. */
export async function clearDayData(): Promise<void> {
  const tx = (await db()).transaction(["day", "positions"], "readwrite");
  await Promise.all([tx.objectStore("day").delete("current"), tx.objectStore("positions").clear()]);
  await tx.done;
}

// ---------------------------------------------------------------- the outbox

/** Adds a command (its seq comes from the key generator) and applies it to the stored day, together. */
export async function queueCommand(
  command: Omit<Command, "seq">,
  applyToDay: (day: LocalDay, command: Command) => LocalDay,
): Promise<{ command: Command; day: LocalDay | null }> {
  const tx = (await db()).transaction(["outbox", "day"], "readwrite");
  // With an in-line key generator, a record without the key gets the next number written into it.
  const seq = await tx.objectStore("outbox").add(command as Command);
  const queued: Command = { ...command, seq };
  const current = await tx.objectStore("day").get("current");
  let day: LocalDay | null = current ?? null;
  if (day && day.route.id === queued.route_id) {
    day = applyToDay(day, queued);
    await tx.objectStore("day").put(day, "current");
  }
  await tx.done;
  return { command: queued, day };
}

/** Up to `limit` commands after seq `afterSeq`, in seq order. */
export async function outboxAfter(afterSeq: number, limit: number): Promise<Command[]> {
  const range = afterSeq >= 0 ? IDBKeyRange.lowerBound(afterSeq, true) : null;
  return (await db()).getAll("outbox", range, limit);
}

export async function outboxAll(): Promise<Command[]> {
  return (await db()).getAll("outbox");
}

export async function outboxCount(): Promise<number> {
  return (await db()).count("outbox");
}

/**
 * Takes settled commands out of the outbox: `done` ones go, `rejected` ones move to the rejected store.
 * Images of theirs that no waiting or refused action refers to any more are deleted. All in one transaction.
 */
export async function settleCommands(done: Command[], rejected: RejectedCommand[]): Promise<void> {
  if (done.length === 0 && rejected.length === 0) return;
  const tx = (await db()).transaction(["outbox", "rejected", "media"], "readwrite");
  const outbox = tx.objectStore("outbox");
  for (const command of done) await outbox.delete(command.seq);
  for (const entry of rejected) {
    await outbox.delete(entry.command.seq);
    await tx.objectStore("rejected").put(entry);
  }
  const candidates = new Set(done.flatMap((command) => command.media));
  if (candidates.size > 0) {
    const needed = referencedMedia(await outbox.getAll(), await tx.objectStore("rejected").getAll());
    for (const sha of candidates) if (!needed.has(sha)) await tx.objectStore("media").delete(sha);
  }
  await tx.done;
}

function referencedMedia(outbox: Command[], rejected: RejectedCommand[]): Set<string> {
  return new Set([...outbox.flatMap((c) => c.media), ...rejected.flatMap((r) => r.command.media)]);
}

// ---------------------------------------------------------------- refused actions

export async function listRejected(): Promise<RejectedCommand[]> {
  const all = await (await db()).getAll("rejected");
  return all.sort((a, b) => a.rejected_at.localeCompare(b.rejected_at) || a.command.seq - b.command.seq);
}

/** The driver has read it: forget it, and its images unless something else refers to them. */
export async function deleteRejected(commandId: string): Promise<void> {
  const tx = (await db()).transaction(["outbox", "rejected", "media"], "readwrite");
  const entry = await tx.objectStore("rejected").get(commandId);
  if (entry) {
    await tx.objectStore("rejected").delete(commandId);
    const needed = referencedMedia(await tx.objectStore("outbox").getAll(), await tx.objectStore("rejected").getAll());
    for (const sha of entry.command.media) if (!needed.has(sha)) await tx.objectStore("media").delete(sha);
  }
  await tx.done;
}

// ---------------------------------------------------------------- images

/** Keeps an image unless it is there already (same bytes, same hash: the stored one stands). */
export async function addMedia(record: MediaRecord): Promise<void> {
  const tx = (await db()).transaction("media", "readwrite");
  if ((await tx.store.getKey(record.sha256)) === undefined) await tx.store.add(record);
  await tx.done;
}

export async function getMedia(sha256: string): Promise<MediaRecord | null> {
  return (await (await db()).get("media", sha256)) ?? null;
}

export async function setMediaUploaded(shas: readonly string[], uploaded: boolean): Promise<void> {
  const tx = (await db()).transaction("media", "readwrite");
  for (const sha of shas) {
    const record = await tx.store.get(sha);
    if (record && record.uploaded !== uploaded) await tx.store.put({ ...record, uploaded });
  }
  await tx.done;
}

/** Deletes images stored before `before` that no action refers to (a photo taken, then the action abandoned). */
export async function deleteOrphanMedia(before: string): Promise<number> {
  const tx = (await db()).transaction(["outbox", "rejected", "media"], "readwrite");
  const needed = referencedMedia(await tx.objectStore("outbox").getAll(), await tx.objectStore("rejected").getAll());
  let deleted = 0;
  let cursor = await tx.objectStore("media").openCursor();
  while (cursor) {
    if (!needed.has(cursor.value.sha256) && cursor.value.stored_at < before) {
      await cursor.delete();
      deleted++;
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  return deleted;
}

// ---------------------------------------------------------------- buffered positions

/** Adds fixes, then drops the oldest beyond `max`. */
export async function addPoints(points: readonly PositionPoint[], max: number): Promise<void> {
  if (points.length === 0) return;
  const tx = (await db()).transaction("positions", "readwrite");
  for (const point of points) await tx.store.add(point as BufferedPoint);
  let excess = (await tx.store.count()) - max;
  if (excess > 0) {
    let cursor = await tx.store.openCursor();
    while (cursor && excess > 0) {
      await cursor.delete();
      excess--;
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}

/** The oldest `limit` buffered fixes. */
export async function oldestPoints(limit: number): Promise<BufferedPoint[]> {
  return (await db()).getAll("positions", null, limit);
}

export async function deletePointsThrough(seq: number): Promise<void> {
  await (await db()).delete("positions", IDBKeyRange.upperBound(seq));
}

export async function pointCount(): Promise<number> {
  return (await db()).count("positions");
}

// ---------------------------------------------------------------- small facts

export async function getMeta<K extends keyof Meta>(key: K): Promise<Meta[K] | undefined> {
  return (await (await db()).get("meta", key)) as Meta[K] | undefined;
}

export async function setMeta<K extends keyof Meta>(key: K, value: Meta[K]): Promise<void> {
  await (await db()).put("meta", value, key);
}
