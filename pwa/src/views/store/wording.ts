// What the store screens say: scan-in results, refusals, waiting times, arrivals, returns. Short sentences a
// clerk reads at a glance with a queue in front of them. Pure (the clock and the zone are arguments), tested.
import { ApiError, NetworkError } from "../../api/client";
import type { Disposition, Pickup, Return } from "../../api/store";
import { clockFormat } from "../../components/clock";

const DAY_MS = 86_400_000;

export interface Refusal {
  /** The server's title ("No pickup with this code at this store"), or ours when it did not answer. */
  title: string;
  /** The server's own sentence, shown as it is. */
  detail: string | null;
}

/** A failed request as the clerk reads it: the server's problem title and detail as they are. */
export function refusalOf(error: unknown): Refusal {
  if (error instanceof NetworkError) {
    return { title: "Can't reach Doorstep", detail: "Check the connection, then scan or type the code again." };
  }
  if (error instanceof ApiError) {
    if (error.status === 401) return { title: "Your sign-in has ended", detail: "Sign in again to go on." };
    if (error.status === 429) return { title: "Too many requests", detail: "Wait a moment, then try again." };
    if (error.status >= 500) {
      return { title: `Doorstep had a problem (${error.status})`, detail: "Try again in a moment." };
    }
    return { title: error.title, detail: error.detail ?? null };
  }
  return { title: "Something went wrong", detail: "Try again." };
}

/** One line for the screen reader and the scanner's result: "Title: detail." */
export function refusalLine(refusal: Refusal): string {
  return refusal.detail ? `${refusal.title}: ${refusal.detail}` : refusal.title;
}

export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "07:42" in the zone given (the browser's by default); "" for none or nonsense. */
export function clock(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : clockFormat(timeZone).format(at);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** "Mon 24 Nov" in the zone given. */
export function dayText(iso: string, timeZone?: string): string {
  const key = timeZone ?? "";
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      ...(timeZone ? { timeZone } : {}),
    });
    dayFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** Whole days from `fromIso` to `now` (0 on the first day); 0 for no time. */
export function daysSince(fromIso: string | null, now: Date): number {
  if (!fromIso) return 0;
  const from = new Date(fromIso).getTime();
  if (Number.isNaN(from)) return 0;
  return Math.max(0, Math.floor((now.getTime() - from) / DAY_MS));
}

/** "Ready since 09:14 today", "Ready since Mon 24 Nov (3 days)"; "Not ready yet" before it is. */
export function readySinceText(readyAt: string | null, now: Date, timeZone?: string): string {
  if (!readyAt) return "Not ready yet";
  const days = daysSince(readyAt, now);
  const sameDay = dayText(readyAt, timeZone) === dayText(now.toISOString(), timeZone);
  if (days === 0 && sameDay) return `Ready since ${clock(readyAt, timeZone)} today`;
  return `Ready since ${dayText(readyAt, timeZone)} (${countText(Math.max(days, 1), "day")})`;
}

/** The waiting list's column: "today", "1 day", "4 days". */
export function waitingText(readyAt: string | null, now: Date): string {
  const days = daysSince(readyAt, now);
  return days === 0 ? "today" : countText(days, "day");
}

/** The overdue list's note: "Expired today", "Expired 2 days ago"; "" without an expiry. */
export function overdueText(expiresAt: string | null, now: Date): string {
  if (!expiresAt) return "";
  const days = daysSince(expiresAt, now);
  return days === 0 ? "Expired today" : `Expired ${countText(days, "day")} ago`;
}

/** "2 parcels" for the card; "1 of 2 parcels in" while some are missing. */
export function parcelsText(pickup: Pick<Pickup, "parcels" | "scanned">): string {
  const total = pickup.parcels.length;
  const inStore = new Set(pickup.scanned).size;
  if (inStore >= total) return countText(total, "parcel");
  return `${inStore} of ${countText(total, "parcel")} in`;
}

export interface ScanInResult {
  tone: "good" | "info";
  text: string;
}

/** What a scan-in did: ready for the customer (who is told), or how many of the order's parcels are in. */
export function scanInText(pickup: Pickup): ScanInResult {
  const shelf = pickup.shelf ?? "the shelf";
  if (pickup.status === "ready_for_pickup") {
    return { tone: "good", text: `Shelved on ${shelf} — ready for pickup (customer will be told)` };
  }
  const total = pickup.parcels.length;
  const inStore = new Set(pickup.scanned).size;
  return { tone: "info", text: `Shelved on ${shelf} — ${inStore} of ${countText(total, "parcel")} in` };
}

/** Where the customer is: "At the counter" or "Curbside: blue Volvo, spot 4". */
export function whereText(curbside: boolean, parkingNote: string | null): string {
  if (!curbside) return "Coming to the counter";
  return parkingNote ? `Curbside: ${parkingNote}` : "Curbside (no parking note)";
}

/** Where the customer said they were: "at the door" close by, else "about 350 m away" or "about 2.4 km away". */
export function distanceText(metres: number | null | undefined): string | null {
  if (metres === null || metres === undefined || !Number.isFinite(metres) || metres < 0) return null;
  if (metres < 60) return "at the store";
  if (metres < 1000) return `about ${Math.round(metres / 10) * 10} m away`;
  return `about ${(metres / 1000).toFixed(1)} km away`;
}

/** "here since 10:02", or "just arrived" within the first minute. */
export function arrivedText(arrivedAt: string, now: Date, timeZone?: string): string {
  const ms = now.getTime() - new Date(arrivedAt).getTime();
  if (Number.isNaN(ms)) return "";
  if (ms < 60_000) return "just arrived";
  return `here since ${clock(arrivedAt, timeZone)}`;
}

const REASONS: Record<string, string> = {
  damaged: "Damaged",
  wrong_item: "Wrong item",
  not_as_described: "Not as described",
  no_longer_needed: "No longer needed",
  other: "Other reason",
};

export function reasonText(reason: string): string {
  return REASONS[reason] ?? reason.replaceAll("_", " ");
}

/** What comes back: "2 parcels (PK-1, PK-2)", "3 items (MUG-1 × 2, CAP × 1)", or both. */
export function returnItemsText(items: Return["items"]): string {
  const parts: string[] = [];
  const parcels = items.parcels ?? [];
  const skus = items.skus ?? [];
  if (parcels.length > 0) parts.push(`${countText(parcels.length, "parcel")} (${parcels.join(", ")})`);
  if (skus.length > 0) {
    const count = skus.reduce((sum, line) => sum + line.quantity, 0);
    parts.push(`${countText(count, "item")} (${skus.map((line) => `${line.sku} × ${line.quantity}`).join(", ")})`);
  }
  return parts.join(" and ") || "Nothing listed";
}

const DISPOSITION_DONE: Record<Disposition, (store: string) => string> = {
  restock: (store) => `Restocked at ${store}: back in stock here.`,
  repair: () => "Received for repair.",
  dispose: () => "Received and marked for disposal.",
};

export function dispositionDoneText(disposition: Disposition, storeName: string): string {
  return DISPOSITION_DONE[disposition](storeName);
}
