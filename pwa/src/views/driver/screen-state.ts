// Which part of the driver screen is open (the route, one stop, loading the van) and whether a sheet is up.
// The open part is kept in the browser's history: the phone's back button closes a stop, and a reload
// (the phone killed the app mid-delivery) opens the same stop again. View state only; the day is state/driver.ts.
import { signal } from "@preact/signals";

export type DriverView = { name: "route" } | { name: "stop"; stopId: string } | { name: "load" };

const ROUTE: DriverView = { name: "route" };

function fromHistory(): DriverView {
  const saved: unknown =
    typeof history === "undefined" ? null : (history.state as { driverView?: unknown } | null)?.driverView;
  if (saved && typeof saved === "object") {
    const candidate = saved as { name?: unknown; stopId?: unknown };
    if (candidate.name === "stop" && typeof candidate.stopId === "string")
      return { name: "stop", stopId: candidate.stopId };
    if (candidate.name === "load") return { name: "load" };
  }
  return ROUTE;
}

export const view = signal<DriverView>(fromHistory());

/** How many sheets are open (a sheet inside a sheet is possible): the update banner waits while any is. */
export const openSheets = signal(0);

/** History entries this page pushed, so "back" never leaves the app for the page before it. */
let pushed = 0;

export function openView(next: DriverView): void {
  history.pushState({ ...(history.state as object | null), driverView: next }, "", location.pathname + location.search);
  pushed++;
  view.value = next;
  window.scrollTo(0, 0);
}

/** Back to the route list: the history's back when this page went forward, else a replaced entry. */
export function backToRoute(): void {
  if (view.value.name === "route") return;
  if (pushed > 0) {
    history.back();
    return;
  }
  history.replaceState(
    { ...(history.state as object | null), driverView: ROUTE },
    "",
    location.pathname + location.search,
  );
  view.value = ROUTE;
  window.scrollTo(0, 0);
}

/**
 * Follows the back and forward buttons; returns the way to stop. Every view opens at its top: back on the
 * list, the next stop is first there (the browser's own scroll restoration would land mid-list).
 */
export function followViewHistory(): () => void {
  view.value = fromHistory();
  const restoration = history.scrollRestoration;
  history.scrollRestoration = "manual";
  const update = () => {
    pushed = Math.max(0, pushed - 1);
    view.value = fromHistory();
    window.scrollTo(0, 0);
  };
  window.addEventListener("popstate", update);
  return () => {
    window.removeEventListener("popstate", update);
    history.scrollRestoration = restoration;
  };
}

/** The route view's tab: the list (default) or the map. Kept while a stop is open. */
export const routeTab = signal<"list" | "map">("list");

/** What the last closed stop was ("Stop 7 delivered."), said at the top of the list it went back to. */
export const lastDone = signal<string | null>(null);
