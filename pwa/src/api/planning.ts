// The dispatcher's reads and writes: orders waiting, vehicles and people, plans, routes and their stops.
// Shapes as the server sends them (backend/*/schemas.py); times are ISO 8601 strings in UTC.
import { api, type ApiClient } from "./client";

/** One page of a list endpoint (backend/kit/pagination.py); a page never holds more than 200 items. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const MAX_PAGE = 200;

export type OrderKind = "delivery" | "return" | "store_pickup" | (string & {});
export type OrderStatus = string;

export interface OrderSummary {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  external_ref: string | null;
  recipient_name: string;
  address: string;
  lat: number;
  lon: number;
  window_start_at: string | null;
  window_end_at: string | null;
  parcel_count: number;
  priority: number;
  created_at: string;
}

export interface Vehicle {
  id: string;
  name: string;
  profile: string;
  driver_id: string | null;
  depot_id: string | null;
  is_active: boolean;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: string;
}

export type PlanStatus = "draft" | "published" | "superseded" | (string & {});

export interface PlanTotals {
  routes?: number;
  assigned?: number;
  unassigned?: number;
  distance_m?: number;
  duration_s?: number;
  solve_ms?: number;
  /** Which travel times the solver used: "road_graph", "straight_line (fallback: ...)", ... */
  travel_times?: string;
  vehicles_without_depot?: number;
  /** Open stops expected after their order's window ends (the live ETA, else the planned time). */
  late_stops?: number;
  /** The routes' total time out, from leaving the depot to getting back: driving, service, waiting, breaks. */
  route_s?: number;
  [member: string]: unknown;
}

export type UnassignedReason =
  | "capacity"
  | "time_window"
  | "skills"
  | "fleet_full"
  | "no_vehicle"
  | "no_store"
  | (string & {});

export interface Unassigned {
  order_id: string;
  reason: UnassignedReason;
  /** The server's own sentence, e.g. which capacity was short. */
  detail: string;
}

export interface RouteSummary {
  id: string;
  vehicle_id: string;
  driver_id: string | null;
  service_date: string;
  status: string;
  plan_revision: number;
  distance_m: number;
  duration_s: number;
  /** Stops that serve an order (a return counts twice: its pickup and its drop at the depot). */
  stop_count: number;
}

export interface PlanSummary {
  id: string;
  service_date: string;
  revision: number;
  status: PlanStatus;
  summary: PlanTotals;
  created_at: string;
  published_at: string | null;
}

export interface Plan extends PlanSummary {
  unassigned: Unassigned[];
  routes: RouteSummary[];
  /** The stops counted in summary.late_stops; absent from servers before it was added. */
  late_stop_ids?: string[];
}

export type StopKind = "start" | "delivery" | "pickup" | "break" | "end" | (string & {});

/** What became of a stop on the road (backend/routing/models.py, StopStatus). */
export type StopStatus = "pending" | "arrived" | "completed" | "failed" | "skipped" | (string & {});

export interface Stop {
  id: string;
  sequence: number;
  kind: StopKind;
  status: StopStatus;
  order_id: string | null;
  lat: number;
  lon: number;
  planned_arrival_at: string | null;
  planned_departure_at: string | null;
  arrived_at: string | null;
  completed_at: string | null;
  /** When the driver left the stop (the geofence saw it); absent from servers before live tracking. */
  departed_at?: string | null;
  /** The live ETA from the driver's position, with its window; null before the route starts. */
  eta_at?: string | null;
  eta_earliest_at?: string | null;
  eta_latest_at?: string | null;
  /** A dispatcher moved this stop's order onto this route by hand: re-plans keep it on this vehicle. */
  pinned?: boolean;
}

export interface LineString {
  type: "LineString";
  /** [longitude, latitude] pairs, GeoJSON order. */
  coordinates: Array<[number, number]>;
}

export interface Route extends Omit<RouteSummary, "stop_count"> {
  /** The line along the streets, or null when the travel-time source has no geometry. */
  geometry: LineString | { type: string; coordinates: unknown } | null;
  started_at: string | null;
  completed_at: string | null;
  stops: Stop[];
}

export function listOrders(status: OrderStatus, limit: number, client: ApiClient = api): Promise<Page<OrderSummary>> {
  return client.get(`/api/orders?limit=${limit}&status=${encodeURIComponent(status)}`);
}

export function listVehicles(client: ApiClient = api): Promise<Page<Vehicle>> {
  return client.get(`/api/vehicles?limit=${MAX_PAGE}`);
}

export function listUsers(client: ApiClient = api): Promise<Page<User>> {
  return client.get(`/api/users?limit=${MAX_PAGE}`);
}

/** The new order as the dispatcher's form sends it (backend/orders/schemas.py, OrderCreate). */
export interface OrderCreate {
  recipient_name: string;
  address: string;
  lat: number;
  lon: number;
  /** ISO 8601 with an offset; both or neither. */
  window_start_at?: string;
  window_end_at?: string;
  weight_kg?: number;
  parcel_count?: number;
  /** The recipient shows photo ID at hand-over (age-restricted or high-value goods). */
  id_check_required?: boolean;
}

export function createOrder(order: OrderCreate, client: ApiClient = api): Promise<OrderSummary> {
  return client.post("/api/orders", order);
}

export interface Organization {
  id: string;
  name: string;
  kind: string;
  /** IANA name, e.g. "Europe/Helsinki": the clock the organization's days and windows are in. */
  timezone: string;
}

export function getOrganization(client: ApiClient = api): Promise<Organization> {
  return client.get("/api/organization");
}

/** Solves the day (a few seconds); 422 nothing-to-plan when no order is waiting. */
export function createPlan(serviceDate: string, timeBudgetS: number, client: ApiClient = api): Promise<Plan> {
  return client.post("/api/plans", { service_date: serviceDate, time_budget_s: timeBudgetS });
}

/** The day's revisions, newest first. */
export function listPlans(serviceDate: string, client: ApiClient = api): Promise<Page<PlanSummary>> {
  return client.get(`/api/plans?date=${encodeURIComponent(serviceDate)}&limit=${MAX_PAGE}`);
}

export function getPlan(planId: string, client: ApiClient = api): Promise<Plan> {
  return client.get(`/api/plans/${encodeURIComponent(planId)}`);
}

/** 409 plan-not-publishable when the plan is not the day's newest draft or its orders changed. */
export function publishPlan(planId: string, client: ApiClient = api): Promise<Plan> {
  return client.post(`/api/plans/${encodeURIComponent(planId)}/publish`);
}

export function getRoute(routeId: string, client: ApiClient = api): Promise<Route> {
  return client.get(`/api/routes/${encodeURIComponent(routeId)}`);
}

export interface Location {
  id: string;
  kind: "depot" | "store" | (string & {});
  name: string;
  address: string;
  lat: number;
  lon: number;
}

export function listLocations(client: ApiClient = api): Promise<Page<Location>> {
  return client.get(`/api/locations?limit=${MAX_PAGE}`);
}

/** Takes a live route out; 409 route-not-withdrawable when it is not published or in progress. */
export function withdrawRoute(routeId: string, reason: string, client: ApiClient = api): Promise<RouteSummary> {
  return client.post(`/api/routes/${encodeURIComponent(routeId)}/withdraw`, { reason });
}

/** What moving a stop to another route answers: both routes as they are now. */
export interface StopReassigned {
  order_id: string;
  /** The order's stops on the route it moved to (a delivery fetched from the depot has two). */
  stop_ids: string[];
  from_route: Route;
  to_route: Route;
  /** True when the stop had already moved (a repeated request): nothing changed twice. */
  replayed: boolean;
}

/**
 * Moves an open stop (with its pair) to another live route of the day, at its cheapest place there; re-plans
 * keep it on that vehicle. 409 stop-not-open / stop-not-movable / stop-does-not-fit / route-not-live say why.
 */
export function reassignStop(
  routeId: string,
  stopId: string,
  toRouteId: string,
  idempotencyKey?: string,
  client: ApiClient = api,
): Promise<StopReassigned> {
  return client.post(
    `/api/routes/${encodeURIComponent(routeId)}/stops/${encodeURIComponent(stopId)}/reassign`,
    { to_route_id: toRouteId },
    idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : undefined,
  );
}
