// What the store screens show across their tabs: the store served, the customers here (live), the live
// connection, and a counter bumped when the pickup lists are out of date. views/store/store-actions.ts
// fetches and writes; nothing here fetches.
import { signal } from "@preact/signals";
import type { LiveStatus } from "../api/live";
import type { Store } from "../api/store";

/** A customer who said "I'm here" (views/store/arrivals.ts keeps the list). */
export interface Arrival {
  orderId: string;
  /** The customer's name as the server gives it (the live event sends the first name only). */
  name: string;
  shelf: string | null;
  curbside: boolean;
  parkingNote: string | null;
  /** ISO 8601: when they said they were here (the screen's clock for a live event). */
  arrivedAt: string;
  /** How far from the store they were, when they shared their position. */
  distanceM?: number | null;
}

/** The store every tab works for; null while the person picks one. */
export const currentStore = signal<Store | null>(null);

/** Customers who said "I'm here", newest first. */
export const arrivals = signal<Arrival[]>([]);

/** The newest arrival while it is news: the screen's alert. */
export const arrivalAlert = signal<Arrival | null>(null);

export const storeLive = signal<LiveStatus>("connecting");

/** A pickup's code chosen from the waiting list ("Hand over"): the counter opens with it. */
export const counterRequest = signal<string | null>(null);

/** Bumped by every pickup event: the open list reloads. */
export const pickupsVersion = signal(0);

/** Something the screen asked the server for: still coming, here, or why not. */
export type Loadable<T> = { status: "loading" } | { status: "ready"; value: T } | { status: "failed"; message: string };
