// The outbox: every driver action becomes a command with its idempotency key and the device's time, kept in
// IndexedDB until the server answers for it, and shown on the day at once. Images are kept by their SHA-256.
import { MAX_MEDIA_BYTES, MEDIA_TYPES, type CommandType } from "../api/driver";
import { sha256Hex } from "../api/sha256";
import { day, pendingStops, rejected, setSyncStatus } from "../state/driver";
import { addMedia, deleteRejected, outboxCount, queueCommand, type Command, type RejectedCommand } from "./db";
import { applyCommand } from "./day-model";
import { syncSoon } from "./sync";

export type { CommandType } from "../api/driver";
export type { Command, RejectedCommand } from "./db";

export interface CommandInput {
  type: CommandType;
  route_id: string;
  stop_id?: string | null;
  /** Default: the order of the stop, as the stored day has it. */
  order_id?: string | null;
  payload: Record<string, unknown>;
  /** Images the command refers to; the payload's photos and signature are added on their own. */
  media?: string[];
}

/** An image the server would refuse: too large or of a type it does not take. Nothing was stored. */
export class MediaError extends Error {
  override readonly name = "MediaError";
}

const STOP_COMMANDS: ReadonlySet<CommandType> = new Set(["stop.arrive", "stop.deliver", "stop.fail", "stop.collect_return"]);

/** The images a payload names (photos, signature) with those given. */
function mediaOf(input: CommandInput): string[] {
  const photos = input.payload["photos"];
  const signature = input.payload["signature"];
  const named = [
    ...(input.media ?? []),
    ...(Array.isArray(photos) ? photos.filter((p): p is string => typeof p === "string") : []),
    ...(typeof signature === "string" ? [signature] : []),
  ];
  return [...new Set(named)];
}

/**
 * Records an action: queued in the outbox (the driver's time, a fresh idempotency key), applied to the
 * stored day and the `day` signal at once, then a sync is started. Resolves once it is safe on the phone.
 */
export async function enqueue(input: CommandInput): Promise<Command> {
  const stopId = input.stop_id ?? null;
  if (STOP_COMMANDS.has(input.type) && stopId === null) throw new Error(`${input.type} needs a stop_id`);
  const stop = stopId === null ? undefined : day.value?.route.stops.find((s) => s.id === stopId);
  const command: Omit<Command, "seq"> = {
    id: crypto.randomUUID(),
    type: input.type,
    route_id: input.route_id,
    stop_id: stopId,
    order_id: input.order_id !== undefined ? input.order_id : (stop?.order_id ?? null),
    occurred_at: new Date().toISOString(),
    payload: input.payload,
    media: mediaOf(input),
  };
  const queued = await queueCommand(command, applyCommand);
  if (queued.day) day.value = queued.day;
  if (stopId !== null) pendingStops.value = new Set([...pendingStops.value, stopId]);
  setSyncStatus({ pending: await outboxCount() });
  syncSoon();
  return queued.command;
}

/** Keeps an image (a photo, a signature) on the phone until the server has it; returns its SHA-256. */
export async function storeMedia(blob: Blob): Promise<string> {
  const type = blob.type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!MEDIA_TYPES.includes(type)) throw new MediaError("Only JPEG, PNG or WebP images can be sent.");
  if (blob.size > MAX_MEDIA_BYTES) throw new MediaError("This image is larger than 8 MB: take it again at a lower size.");
  const bytes = await blob.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  await addMedia({ sha256, bytes, type, size: bytes.byteLength, uploaded: false, stored_at: new Date().toISOString() });
  return sha256;
}

export function pendingCount(): Promise<number> {
  return outboxCount();
}

/** The driver has read a refused action: it leaves the list (the server kept its data for the dispatcher). */
export async function dismissRejected(commandId: string): Promise<void> {
  await deleteRejected(commandId);
  rejected.value = rejected.value.filter((r: RejectedCommand) => r.command.id !== commandId);
}
