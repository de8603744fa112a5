// The dispatch console's order reads and the CSV import: one page of a filtered, searched list, an order with
// its history, and POST /api/orders/import. Shapes as backend/orders/schemas.py sends them; times are ISO 8601.
import { api, createApiClient, type ApiClient } from "./client";
import type { OrderKind, OrderStatus, OrderSummary, Page } from "./planning";

export type { OrderKind, OrderStatus, OrderSummary, Page };

/** What GET /api/orders filters on; every member is optional on the server. */
export interface OrderQuery {
  status: string | null;
  kind: string | null;
  /** Searched in the recipient's name, the address and the reference (at most 100 characters). */
  q: string;
  limit: number;
  offset: number;
}

export interface Parcel {
  id: string;
  barcode: string;
  weight_kg: number | null;
}

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface Order extends OrderSummary {
  allowed_transitions: string[];
  recipient_phone: string | null;
  recipient_email: string | null;
  service_s: number;
  weight_kg: number;
  volume_l: number;
  required_skills: string[];
  notes: string | null;
  store_id: string | null;
  parcels: Parcel[];
  tracking_url: string;
  updated_at: string;
  geofence_radius_m: number | null;
  lines: OrderLine[];
  id_check_required: boolean;
  carrier_id: string | null;
}

export interface OrderEvent {
  id: string;
  /** "order.created", "order.status_changed", "order.updated", ... */
  type: string;
  payload: Record<string, unknown>;
  /** "user:<id>", "api_key:<id>", "carrier:<id>", "customer", "system:replanner", ... */
  actor: string;
  occurred_at: string;
  recorded_at: string;
}

/** One row the importer refused: `row` counts data rows from 1 (the CSV header is row 0). */
export interface RowError {
  row: number;
  field: string | null;
  reason: string;
  external_ref?: string | null;
}

export interface ImportResult {
  created: number;
  updated: number;
  rejected: number;
  errors: RowError[];
  order_ids: string[];
}

export function orderListPath(query: OrderQuery): string {
  const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
  if (query.status) params.set("status", query.status);
  if (query.kind) params.set("kind", query.kind);
  if (query.q) params.set("q", query.q);
  return `/api/orders?${params.toString()}`;
}

/**
 * A client whose requests end when `signal` aborts: a newer search cancels the one still on its way.
 * The cancelled request fails with a NetworkError, which the caller ignores as it asked for it.
 */
export function cancellableClient(signal: AbortSignal, fetchImpl: typeof fetch = (i, init) => fetch(i, init)): ApiClient {
  return createApiClient({
    fetch: (input, init) =>
      fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
  });
}

export function findOrders(query: OrderQuery, client: ApiClient = api): Promise<Page<OrderSummary>> {
  return client.get(orderListPath(query));
}

export function getOrder(orderId: string, client: ApiClient = api): Promise<Order> {
  return client.get(`/api/orders/${encodeURIComponent(orderId)}`);
}

/** The order's history, oldest first. */
export function getOrderEvents(orderId: string, client: ApiClient = api): Promise<OrderEvent[]> {
  return client.get(`/api/orders/${encodeURIComponent(orderId)}/events`);
}

/**
 * Sends the file as it is. All or nothing unless `partial`: a file with invalid rows is answered 422
 * import-rejected, listing them (ApiError.problem.errors), and nothing is imported.
 */
export function importOrders(
  file: Blob,
  contentType: string,
  partial: boolean,
  client: ApiClient = api,
): Promise<ImportResult> {
  return client.upload("POST", `/api/orders/import?partial=${partial ? "true" : "false"}`, {
    data: file,
    contentType,
  });
}
