// Idempotency keys of the carrier's updates: each new update gets a fresh key and its time, both kept (in local
// storage, so a reload keeps them too) until the server has answered; trying the same update again sends the
// same key and time, so a retry after a lost answer never records it twice. Pure apart from the storage given.
import type { FailureCode, StatusUpdate } from "../../api/carrier";
import { ApiError } from "../../api/client";

/** What the person asked for, without its time: the same intent again is a retry of the same update. */
export type Intent =
  | { status: "picked_up"; note?: string }
  | { status: "delivered"; recipient_name: string; note?: string; photos?: string[] }
  | { status: "failed"; reason: FailureCode; note?: string; photos?: string[] };

export interface PendingUpdate {
  orderId: string;
  key: string;
  /** The intent, written the same way each time (sorted members), to compare with a new try. */
  signature: string;
  update: StatusUpdate;
}

/** The same object whatever order its members were given in; empty notes and photo lists left out. */
export function signatureOf(intent: Intent): string {
  const members = Object.entries(intent)
    .filter(([, value]) => value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(members);
}

/**
 * Whether a failed try may have reached the server without us hearing the answer (no answer at all, a time-out,
 * a server error, "too many"): then the update is kept to be sent again under its key. Any other answer is the
 * server's word on it, and the key is done with.
 */
export function mayRetry(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

function cleaned(intent: Intent): Intent {
  const copy: Record<string, unknown> = { ...intent };
  for (const [name, value] of Object.entries(copy)) {
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete copy[name];
  }
  return copy as Intent;
}

export class UpdateKeeper {
  private readonly pending = new Map<string, PendingUpdate>();

  /**
   * storage: where unanswered updates outlive a reload (null: memory only); name: its entry, one per person;
   * newKey and now: a fresh key and the time (replaceable in tests).
   */
  constructor(
    private readonly storage: Storage | null,
    private readonly name: string,
    private readonly newKey: () => string = () => crypto.randomUUID(),
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const entry of this.read()) this.pending.set(entry.orderId, entry);
  }

  /** The update to send for this intent: the unanswered one kept for it (same key, same time), or a new one. */
  prepare(orderId: string, intent: Intent): PendingUpdate {
    const signature = signatureOf(intent);
    const kept = this.pending.get(orderId);
    if (kept && kept.signature === signature) return kept;
    // Another intent for the same order: whatever became of the earlier one, this is a new update.
    const update = { ...cleaned(intent), occurred_at: this.now().toISOString() } as StatusUpdate;
    const entry: PendingUpdate = { orderId, key: this.newKey(), signature, update };
    this.pending.set(orderId, entry);
    this.write();
    return entry;
  }

  /** The server answered for this try (applied, replayed or refused): its key is done with. */
  answered(entry: PendingUpdate): void {
    if (this.pending.get(entry.orderId)?.key !== entry.key) return;
    this.pending.delete(entry.orderId);
    this.write();
  }

  /** The unanswered update of an order, if there is one (the screen says it still has to be sent). */
  unanswered(orderId: string): PendingUpdate | null {
    return this.pending.get(orderId) ?? null;
  }

  private read(): PendingUpdate[] {
    try {
      const text = this.storage?.getItem(this.name);
      const parsed: unknown = text ? JSON.parse(text) : [];
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (entry): entry is PendingUpdate =>
          typeof entry === "object" &&
          entry !== null &&
          typeof (entry as PendingUpdate).orderId === "string" &&
          typeof (entry as PendingUpdate).key === "string" &&
          typeof (entry as PendingUpdate).signature === "string" &&
          typeof (entry as PendingUpdate).update === "object",
      );
    } catch {
      return []; // storage blocked or damaged: keys kept in memory still protect this page's retries
    }
  }

  private write(): void {
    try {
      if (this.pending.size === 0) this.storage?.removeItem(this.name);
      else this.storage?.setItem(this.name, JSON.stringify([...this.pending.values()]));
    } catch {
      // storage full or blocked: memory keeps them for this page
    }
  }
}
