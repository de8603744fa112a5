// The orders table's logic, pure so it is tested: what the address bar's query says about the view (and
// back), the page's "1–50 of 312", and the guard that lets only the newest request's answer through.
import type { OrderEvent, OrderQuery } from "../../api/orders";
import { dateIn, formatClock, formatShortDate } from "./format";
import { humanize, orderStatusText } from "./wording";

export const PAGE_SIZE = 50;
/** The server's limit on the search text (backend/orders/api.py). */
export const MAX_SEARCH = 100;
/** How long typing pauses before the search goes out. */
export const SEARCH_DELAY_MS = 300;

/** Every state an order can be in (backend/orders/models.py, OrderStatus), in the order a dispatcher meets them. */
export const ORDER_STATUSES = [
  "created",
  "planned",
  "out_for_delivery",
  "arriving",
  "delivered",
  "failed",
  "returning",
  "returned_to_depot",
  "cancelled",
  "at_store",
  "ready_for_pickup",
  "picked_up",
  "expired",
  "requested",
  "scheduled",
  "collected",
] as const;

export const ORDER_KINDS = ["delivery", "return", "store_pickup"] as const;

/** What the Orders view shows: its filters, the page (from 1) and the order open in the side panel. */
export interface OrderFilters {
  status: string | null;
  kind: string | null;
  q: string;
  page: number;
  /** The id of the order whose details are open, or null. */
  order: string | null;
}

export const NO_FILTERS: OrderFilters = { status: null, kind: null, q: "", page: 1, order: null };

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function oneOf(value: string | null, allowed: readonly string[]): string | null {
  return value !== null && allowed.includes(value) ? value : null;
}

/**
 * The view a query string names ("?status=created&q=aino&page=2"). What a stale or edited link gets wrong
 * (an unknown status, page "x") falls back to the default instead of ending in an error.
 */
export function filtersFromQuery(search: string): OrderFilters {
  const params = new URLSearchParams(search);
  const page = Number(params.get("page"));
  const order = params.get("order");
  return {
    status: oneOf(params.get("status"), ORDER_STATUSES),
    kind: oneOf(params.get("kind"), ORDER_KINDS),
    q: (params.get("q") ?? "").trim().slice(0, MAX_SEARCH),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    order: order !== null && ORDER_ID.test(order) ? order.toLowerCase() : null,
  };
}

/** The query string for a view, defaults left out so the plain view is plain "/dispatch/orders"; "" or "?...". */
export function queryFromFilters(filters: OrderFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.kind) params.set("kind", filters.kind);
  const q = filters.q.trim();
  if (q) params.set("q", q);
  if (filters.page > 1) params.set("page", String(filters.page));
  if (filters.order) params.set("order", filters.order);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The server request for a view (the open order does not change the list). */
export function orderQuery(filters: OrderFilters, pageSize: number = PAGE_SIZE): OrderQuery {
  return {
    status: filters.status,
    kind: filters.kind,
    q: filters.q.trim(),
    limit: pageSize,
    offset: (filters.page - 1) * pageSize,
  };
}

/** Whether anything narrows the list: the empty state says "nothing matches" rather than "no orders yet". */
export function isFiltered(filters: OrderFilters): boolean {
  return filters.status !== null || filters.kind !== null || filters.q.trim() !== "";
}

/** A filter changed: back to the first page, since page 4 of the old list means nothing in the new one. */
export function withFilter(filters: OrderFilters, change: Partial<Pick<OrderFilters, "status" | "kind" | "q">>): OrderFilters {
  return { ...filters, ...change, page: 1 };
}

/** "1–50 of 312", "301–312 of 312", "No orders" when there are none. */
export function pagingText(offset: number, shown: number, total: number): string {
  if (total === 0) return "No orders";
  if (shown === 0) return `0 of ${total}`;
  return `${offset + 1}–${offset + shown} of ${total}`;
}

export function pageCount(total: number, pageSize: number = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * The page to show when the list shrank under the one asked for (page 7 of a list that now has 2): the
 * last page, or null when the page asked for is fine.
 */
export function pageToShow(page: number, total: number, pageSize: number = PAGE_SIZE): number | null {
  const last = pageCount(total, pageSize);
  return page > last ? last : null;
}

/** One request's ticket: whether it is still the newest, and the signal that aborts it when a newer one starts. */
export interface Ticket {
  readonly signal: AbortSignal;
  isCurrent(): boolean;
}

/**
 * Lets only the newest request's answer through: each start() aborts the request before it and makes its
 * ticket stale, so a slow answer to an older search never overwrites a newer one.
 */
export function latestOnly(): { start(): Ticket; stop(): void } {
  let newest = 0;
  let controller: AbortController | null = null;
  return {
    start() {
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      const ticket = ++newest;
      return { signal: mine.signal, isCurrent: () => ticket === newest && !mine.signal.aborted };
    },
    stop() {
      controller?.abort();
      controller = null;
      newest += 1;
    },
  };
}

/** Calls `run` once `delayMs` has passed without another call; cancel() drops the one waiting. */
export function debounce<A extends unknown[]>(
  run: (...args: A) => void,
  delayMs: number,
): { call(...args: A): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let waiting: A | null = null;
  const fire = () => {
    timer = null;
    const args = waiting;
    waiting = null;
    if (args) run(...args);
  };
  return {
    call(...args: A) {
      waiting = args;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(fire, delayMs);
    },
    flush() {
      if (timer !== null) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      waiting = null;
    },
  };
}

/** "25 Nov 14:03" in the organization's time zone: when an order came in. */
export function createdText(iso: string, timeZone?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  return `${formatShortDate(dateIn(iso, timeZone))} ${formatClock(iso, timeZone)}`;
}

/** The order's fields as a dispatcher calls them in its history ("window_start_at" is "window"). */
const FIELD_WORDS: Record<string, string> = {
  recipient_name: "name",
  recipient_phone: "phone",
  recipient_email: "email",
  lat: "position",
  lon: "position",
  window_start_at: "window",
  window_end_at: "window",
  service_s: "time at the door",
  weight_kg: "weight",
  volume_l: "volume",
  parcel_count: "parcels",
  required_skills: "skills",
  geofence_radius_m: "arrival radius",
  id_check_required: "ID check",
};

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** One line of an order's history: "Created by import", "Waiting → Planned", "Changed: address, window". */
export function eventText(event: Pick<OrderEvent, "type" | "payload">): string {
  const p = event.payload;
  switch (event.type) {
    case "order.created":
      return p["via"] === "import" ? "Created by import" : "Created";
    case "order.status_changed": {
      const from = typeof p["from"] === "string" ? orderStatusText(p["from"]) : "?";
      const to = typeof p["to"] === "string" ? orderStatusText(p["to"]) : "?";
      return `${from} → ${to}${p["by_planner"] === true ? " (live re-planning)" : ""}`;
    }
    case "order.updated": {
      const changed = [...new Set(strings(p["changed"]).map((f) => FIELD_WORDS[f] ?? f.replaceAll("_", " ")))];
      const added = strings(p["added_barcodes"]);
      const parts = [
        changed.length > 0 ? `Changed: ${changed.join(", ")}` : "",
        added.length > 0 ? `parcels added: ${added.join(", ")}` : "",
      ].filter(Boolean);
      const text = parts.join("; ") || "Updated";
      const withVia = p["via"] === "import" ? `${text} (by import)` : text;
      return withVia.charAt(0).toUpperCase() + withVia.slice(1);
    }
    case "order.instructions_changed":
      return "The customer changed the delivery instructions";
    case "order.carrier_assigned":
      return p["carrier_id"] ? "Given to a carrier" : "Taken back from the carrier";
    default:
      return humanize(event.type.replace(/^order\./, ""));
  }
}

/** Who did it: a person's name when the screen knows it, else what kind of caller it was. */
export function actorText(actor: string, nameOf: (userId: string) => string | undefined = () => undefined): string {
  const [kind, id = ""] = actor.split(":", 2) as [string, string?];
  switch (kind) {
    case "user":
      return nameOf(id) ?? "A member of staff";
    case "api_key":
      return "An API key";
    case "carrier":
      return "The carrier";
    case "customer":
      return "The customer";
    case "system":
      return id === "replanner" ? "Live re-planning" : "Doorstep";
    default:
      return actor;
  }
}
