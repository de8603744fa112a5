// Delivery KPIs for the office (backend/analytics/api.py): a period's figures in total and per day, driver,
// zone, vehicle profile or carrier, and the same as a CSV download. Definitions are in the README.
import { api, type ApiClient } from "./client";

export type Grouping = "day" | "driver" | "zone" | "profile" | "carrier";

/** One set of figures. Rates are fractions (0.95 is 95 %), null when there is nothing to divide by; route
 * figures are null by zone, pickup figures null by driver and profile. */
export interface Kpis {
  stops_completed: number;
  stops_failed: number;
  stops_with_window: number;
  stops_on_time: number;
  on_time_rate: number | null;
  first_attempts: number;
  first_attempt_successes: number;
  first_attempt_rate: number | null;
  routes: number | null;
  route_hours: number | null;
  stops_per_hour: number | null;
  distance_km: number | null;
  co2_kg: number | null;
  eta_error_stops: number;
  eta_error_mean_min: number | null;
  eta_error_median_min: number | null;
  plan_error_stops: number;
  plan_error_mean_min: number | null;
  plan_error_median_min: number | null;
  deliveries: number;
  returns: number;
  returns_rate: number | null;
  pickups_handed_over: number | null;
  pickup_wait_median_h: number | null;
  pickup_wait_p90_h: number | null;
}

export interface KpiGroup extends Kpis {
  /** The day (YYYY-MM-DD), the driver's id...; null for what belongs to none ("No driver"). */
  key: string | null;
  label: string;
}

export interface KpiReport {
  from: string;
  to: string;
  by: Grouping;
  /** The organization's: the days are its calendar days. */
  timezone: string;
  totals: Kpis;
  groups: KpiGroup[];
  on_time_grace_min: number;
  co2_kg_per_km: Record<string, number>;
}

function query(from: string, to: string, by: Grouping): string {
  return new URLSearchParams({ from, to, by }).toString();
}

export function getKpis(from: string, to: string, by: Grouping, client: ApiClient = api): Promise<KpiReport> {
  return client.get(`/api/analytics/kpis?${query(from, to, by)}`);
}

/** Where the same figures download as CSV (the session cookie goes with a plain link). */
export function kpisCsvPath(from: string, to: string, by: Grouping): string {
  return `/api/analytics/kpis.csv?${query(from, to, by)}`;
}
