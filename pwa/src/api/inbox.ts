// The dispatcher's exceptions inbox (backend/inbox/api.py): what needs a person on a day, and marking an item
// handled. Items are computed by the server from the routes, positions, driver sync and webhooks each time.
import { api, type ApiClient } from "./client";

export type InboxKind =
  | "failed_attempt"
  | "late_stop"
  | "driver_offline"
  | "rejected_action"
  | "webhook_failed"
  | "endpoint_disabled";

/** critical: something stopped working; warning: a customer or a system let down now; info: worth knowing. */
export type InboxSeverity = "critical" | "warning" | "info";

export interface InboxItem {
  /** Stable id, for acknowledging. */
  key: string;
  kind: InboxKind | (string & {});
  severity: InboxSeverity | (string & {});
  /** When it happened (the attempt, the window's end, when the driver was last heard from...). */
  occurred_at: string;
  /** One line, clock times in the organization's zone. */
  title: string;
  detail: string | null;
  order_id: string | null;
  stop_id: string | null;
  route_id: string | null;
  driver_id: string | null;
  endpoint_id: string | null;
  /** The day of the route it is about, YYYY-MM-DD. */
  service_date: string | null;
  acknowledged: boolean;
  acknowledged_at: string | null;
  /** Who marked it handled (null for an API key). */
  acknowledged_by: string | null;
}

export interface Inbox {
  date: string;
  timezone: string;
  generated_at: string;
  offline_after_min: number;
  open_count: number;
  /** Newest first, handled ones included. */
  items: InboxItem[];
}

export function getInbox(date: string, client: ApiClient = api): Promise<Inbox> {
  return client.get(`/api/inbox?date=${encodeURIComponent(date)}`);
}

/** Idempotent: an item already handled comes back unchanged. */
export function acknowledgeItem(key: string, client: ApiClient = api): Promise<InboxItem> {
  return client.post(`/api/inbox/${encodeURIComponent(key)}/acknowledge`);
}
