// What the dispatch screen shows: the day, the orders waiting, the fleet, the day's plans, the open
// plan with its routes, the live connection and what the last revision changed.
// views/dispatch/dispatch-actions.ts fetches and writes; nothing here fetches.
import { signal } from "@preact/signals";
import type { LiveStatus } from "../api/live";
import type { Location, OrderSummary, Plan, PlanSummary, Route, User, Vehicle } from "../api/planning";
import type { DriverPosition, StopEta } from "../api/positions";

/** Something the screen asked the server for: still coming, here, or why not. */
export type Loadable<T> = { status: "loading" } | { status: "ready"; value: T } | { status: "failed"; message: string };

export interface WaitingOrders {
  /** Deliveries and store transfers waiting for a plan (status created), up to one page. */
  created: OrderSummary[];
  createdTotal: number;
  /** Returns waiting to be collected (status requested), up to one page. */
  requested: OrderSummary[];
  requestedTotal: number;
  plannedTotal: number;
}

export interface Fleet {
  /** In the server's order: a vehicle's place here gives its route colour. */
  vehicles: Vehicle[];
  vehicleById: ReadonlyMap<string, Vehicle>;
  personById: ReadonlyMap<string, User>;
  depots: Location[];
}

/** A stop whose planned arrival moved by a minute or more. */
export interface EtaChange {
  /** The stop's id in the routes now on screen. */
  stopId: string;
  orderId: string;
  before: string;
  after: string;
  /** after - before, seconds: positive is later. */
  deltaS: number;
}

/** What one set of routes changed against the one shown before (views/dispatch/revision-diff.ts). */
export interface RevisionDiff {
  /** Stop ids, in the routes now on screen, of orders that were on no route before. */
  added: string[];
  /** Order ids that were on a route and are on none now. */
  removed: string[];
  /** Stop ids of orders now served by another vehicle. */
  moved: string[];
  etaChanges: EtaChange[];
}

/** What changed in the open plan since the screen last showed it, kept until the next change or dismissal. */
export interface ShownRevision {
  planId: string;
  diff: RevisionDiff;
  /** "Plan revised: +1 stop, 3 ETAs changed". */
  notice: string;
}

/** The IANA time zone clock times are shown in: the organization's, the browser's until it is known. */
export const timeZone = signal<string>(new Intl.DateTimeFormat().resolvedOptions().timeZone);
/** The day being planned, YYYY-MM-DD; the actions set it to the organization's today on first load. */
export const serviceDate = signal<string>("");
export const waitingOrders = signal<Loadable<WaitingOrders>>({ status: "loading" });
export const fleet = signal<Loadable<Fleet>>({ status: "loading" });
/** Revisions of the day, newest first. */
export const dayPlans = signal<Loadable<PlanSummary[]>>({ status: "loading" });
/** The plan on screen: just made, or reopened from the day's list. */
export const openPlan = signal<Plan | null>(null);
/**
 * Whether the screen moves to the day's newest plan when one appears (live). True until the dispatcher
 * opens an older revision from the list on purpose; planning, opening the newest or another day resets it.
 */
export const followNewest = signal(true);
/** Each route of the open plan with its stops and line, by route id. */
export const routeDetails = signal<ReadonlyMap<string, Loadable<Route>>>(new Map());
/** Every order the screen has seen, by id, so stops and left-out orders can say whose they are. */
export const knownOrders = signal<ReadonlyMap<string, OrderSummary>>(new Map());
/** The route the dispatcher picked to look at; the map draws it on top. */
export const selectedRouteId = signal<string | null>(null);
/** The /ws/dispatch connection, as the header of the screen shows it. */
export const liveStatus = signal<LiveStatus>("connecting");
/** The last change the live updates brought to the open plan, or null. */
export const shownRevision = signal<ShownRevision | null>(null);
/** Where the dispatcher last clicked the map: the "Add order" form takes it as the new order's place. */
export const pickedPoint = signal<{ lat: number; lon: number } | null>(null);
/** Each driver's last position, by driver id: the latest on opening, then every "positions" frame. */
export const driverPositions = signal<ReadonlyMap<string, DriverPosition>>(new Map());
/** The live ETA of each open stop, by stop id, from the "etas" frames (newer than the route's stop rows). */
export const liveEtas = signal<ReadonlyMap<string, StopEta>>(new Map());
