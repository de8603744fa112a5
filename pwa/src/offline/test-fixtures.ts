// Test helpers for the offline layer: a driver's day and a fake server speaking the sync contract
// (idempotent by command id, like the real one). Imported by *.test.ts only.
import type { DriverDay, DriverOrder, DriverStop, SyncCommand, SyncResult } from "../api/driver";

export const ROUTE_ID = "00000000-0000-7000-8000-000000000001";

export function stop(id: string, sequence: number, extra: Partial<DriverStop> = {}): DriverStop {
  return {
    id,
    sequence,
    kind: "delivery",
    status: "pending",
    order_id: `order-${id}`,
    lat: 60.17 + sequence / 1000,
    lon: 24.94,
    planned_arrival_at: null,
    planned_departure_at: null,
    arrived_at: null,
    completed_at: null,
    departed_at: null,
    eta_at: null,
    eta_earliest_at: null,
    eta_latest_at: null,
    ...extra,
  };
}

export function order(stopId: string, extra: Partial<DriverOrder> = {}): DriverOrder {
  return {
    id: `order-${stopId}`,
    kind: "delivery",
    status: "out_for_delivery",
    reference: null,
    recipient_name: "Ada",
    recipient_phone: null,
    address: `Street ${stopId}`,
    lat: 60.17,
    lon: 24.94,
    window_start_at: null,
    window_end_at: null,
    notes: null,
    parcels: [{ barcode: `P-${stopId}` }],
    ...extra,
  };
}

/** A route with a depot start, the given customer stops in this order, and a depot end. */
export function makeDay(stopIds: string[], extra: { status?: string; server_time?: string; routeId?: string } = {}): DriverDay {
  const stops = [
    stop("start", 0, { kind: "start", order_id: null }),
    ...stopIds.map((id, i) => stop(id, i + 1)),
    stop("end", stopIds.length + 1, { kind: "end", order_id: null }),
  ];
  return {
    route: {
      id: extra.routeId ?? ROUTE_ID,
      vehicle_id: "vehicle",
      driver_id: "driver",
      service_date: "2025-06-02",
      status: extra.status ?? "in_progress",
      plan_revision: 1,
      distance_m: 1000,
      duration_s: 600,
      geometry: null,
      started_at: null,
      completed_at: null,
      stops,
    },
    orders: stopIds.map((id) => order(id)),
    depot: null,
    server_time: extra.server_time ?? "2025-06-02T08:00:00+00:00",
  };
}

type Handler = (request: {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
}) => Response | null | Promise<Response | null>;

export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}

/**
 * A server speaking the contract: media stored by hash, commands applied once per id (a second time is
 * "duplicate"), everything recorded. `fail` runs first and may answer instead (a 500, a dropped connection).
 */
export class FakeServer {
  media = new Set<string>();
  applied = new Map<string, SyncCommand>();
  /** Every command the server applied, in order, ids repeated if applied twice (there must be none). */
  effects: string[] = [];
  syncCalls: SyncCommand[][] = [];
  positions: unknown[] = [];
  requests: Array<{ method: string; path: string; csrf: string | null }> = [];
  day: DriverDay | null = null;
  /** The outcome per command id, beside applied/duplicate (rejected, retry). */
  verdicts = new Map<string, Omit<SyncResult, "id">>();
  csrfToken: string | null = null;
  fail: Handler | null = null;

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://test");
    const method = init.method ?? "GET";
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : init.body;
    this.requests.push({ method, path: url.pathname, csrf: headers.get("X-CSRF-Token") });
    if (this.fail) {
      const answer = await this.fail({ method, path: url.pathname, body, headers });
      if (answer) return answer;
    }
    if (method !== "GET" && this.csrfToken !== null && headers.get("X-CSRF-Token") !== this.csrfToken) {
      return json(403, { type: "https://doorstep.example/problems/csrf", title: "Missing or wrong CSRF token", status: 403 });
    }
    if (method === "GET" && url.pathname === "/api/auth/me") {
      return json(200, { user: { id: "driver" }, csrf_token: this.csrfToken ?? "token" });
    }
    if (method === "GET" && url.pathname === "/api/driver/day") return this.day ? json(200, this.day) : json(204, null);
    if (method === "PUT" && url.pathname.startsWith("/api/media/")) {
      const sha = url.pathname.slice("/api/media/".length);
      const had = this.media.has(sha);
      this.media.add(sha);
      return json(had ? 200 : 201, { sha256: sha, content_type: "image/jpeg", size: 1, width: 1, height: 1 });
    }
    if (method === "POST" && url.pathname === "/api/sync") {
      const commands = (body as { commands: SyncCommand[] }).commands;
      this.syncCalls.push(commands);
      const results = commands.map((command): SyncResult => {
        if (this.applied.has(command.id)) return { id: command.id, outcome: "duplicate", reason: null, message: null };
        const verdict = this.verdicts.get(command.id);
        if (verdict) return { id: command.id, ...verdict };
        const photos = [command.payload["photos"], command.payload["signature"]].flat().filter((p) => typeof p === "string");
        if (photos.some((p) => !this.media.has(p as string))) {
          return { id: command.id, outcome: "retry", reason: "media_missing", message: null };
        }
        this.applied.set(command.id, command);
        this.effects.push(command.id);
        return { id: command.id, outcome: "applied", reason: null, message: null };
      });
      return json(200, { results, server_time: new Date().toISOString() });
    }
    if (method === "POST" && url.pathname === "/api/positions") {
      const points = (body as { points: unknown[] }).points;
      this.positions.push(...points);
      return json(200, { accepted: points.length, stored_only: 0, rejected: [] });
    }
    return json(404, { title: "Not found", status: 404 });
  };
}
