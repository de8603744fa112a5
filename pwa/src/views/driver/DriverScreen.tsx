// The driver app (a lazily loaded chunk, with Leaflet): the status bar always on top, notices of refused
// actions and route changes, then today's route, one stop, or loading the van. It starts the offline loop
// (sync.ts) and location sharing (location.ts) while it is open; every action goes through the outbox.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { ApiError, NetworkError } from "../../api/client";
import { UpdateBanner } from "../../components/UpdateBanner";
import { refreshDay } from "../../offline/day";
import { startSharing } from "../../offline/location";
import { startSync } from "../../offline/sync";
import { day, pendingStops, routeChange } from "../../state/driver";
import { checkSession } from "../shell/session-actions";
import "./driver.css";
import { LoadScreen } from "./LoadScreen";
import { RejectedBanner } from "./RejectedBanner";
import { RouteChangeBanner } from "./RouteChangeBanner";
import { RouteOverview } from "./RouteOverview";
import { followViewHistory, lastDone, openSheets, view, backToRoute } from "./screen-state";
import { StatusBar } from "./StatusBar";
import { rememberStops } from "./stop-labels";
import { StopDetail } from "./StopDetail";
import { changedStops, routeStops } from "./stops";

type Phase = "loading" | "ready" | "offline" | "failed";

export function DriverScreen(props: { user: CurrentUser | null }) {
  const phase = useSignal<Phase>(day.value ? "ready" : "loading");
  /** The stop order the driver last saw settled: a re-plan's marks are against it, until OK. */
  const acknowledged = useSignal<{ routeId: string; stopIds: string[] } | null>(null);

  useEffect(() => {
    document.title = "Driver · Doorstep";
    const stopSync = startSync();
    const stopSharing = startSharing();
    const stopHistory = followViewHistory();
    void load();
    return () => {
      stopHistory();
      stopSharing();
      stopSync();
    };
  }, []);

  async function load() {
    if (!day.value) phase.value = "loading";
    try {
      await refreshDay();
      phase.value = "ready";
    } catch (error) {
      // The sign-in ended (expired, signed out elsewhere): the gate asks for it again, the stored day stays.
      if (error instanceof ApiError && error.status === 401 && props.user) void checkSession();
      phase.value = day.value ? "ready" : error instanceof NetworkError ? "offline" : "failed";
    }
  }

  const current = day.value;
  /** The route was seen finished here: when the server then has no route, that is the end of the day. */
  const finished = useRef(false);
  if (current) finished.current = current.route.status === "completed";
  const stops = useMemo(() => (current ? routeStops(current) : []), [current]);
  useEffect(() => {
    if (current) rememberStops(current.route.id, stops);
  }, [stops]);
  const change = routeChange.value;
  useEffect(() => {
    if (current && (!change || acknowledged.value === null)) {
      acknowledged.value = {
        routeId: current.route.id,
        stopIds: stops.filter((s) => s.number !== null).map((s) => s.stop.id),
      };
    }
  }, [stops, change]);
  // Marks only within one route: a new route is all new, and the banner says so.
  const changed = useMemo(
    () =>
      change && acknowledged.value && acknowledged.value.routeId === current?.route.id
        ? changedStops(acknowledged.value.stopIds, stops)
        : new Map<string, "new" | "moved">(),
    [change, acknowledged.value, stops],
  );

  const onStopDone = (message: string) => {
    lastDone.value = message;
    backToRoute();
  };

  let content;
  if (!current) {
    content = <NoDay phase={phase.value} finished={finished.current} onRetry={() => void load()} />;
  } else {
    const shown = view.value;
    if (shown.name === "stop") {
      content = (
        <StopDetail
          key={shown.stopId}
          stopId={shown.stopId}
          day={current}
          stops={stops}
          pending={pendingStops.value.has(shown.stopId)}
          onDone={onStopDone}
        />
      );
    } else if (shown.name === "load") {
      content = <LoadScreen day={current} stops={stops} />;
    } else {
      content = <RouteOverview day={current} stops={stops} changed={changed} user={props.user} />;
    }
  }

  return (
    <div class="driver">
      {/* An update reloads the page: never offered while a proof is being taken. */}
      {openSheets.value === 0 && <UpdateBanner />}
      {/* Sticky: the sync state, a route change and a refusal stay in sight wherever the driver has scrolled. */}
      <header class="driver-header">
        <StatusBar />
        <RejectedBanner />
        <RouteChangeBanner />
      </header>
      <main id="driver-main" class="driver-main">
        {content}
      </main>
    </div>
  );
}

function NoDay(props: { phase: Phase; finished: boolean; onRetry(): void }) {
  switch (props.phase) {
    case "loading":
      return (
        <section class="card driver-card" aria-busy="true" aria-labelledby="day-loading">
          <h1 id="day-loading" class="driver-card-title">
            Loading today's route…
          </h1>
        </section>
      );
    case "ready":
      if (props.finished) {
        return (
          <section class="card driver-card" aria-labelledby="day-done" data-testid="route-finished">
            <h1 id="day-done" class="driver-card-title">
              Route finished. Thank you!
            </h1>
            <p>Your next route shows here when dispatch publishes it.</p>
            <button
              type="button"
              class="button button-secondary button-wide"
              onClick={props.onRetry}
              data-testid="day-retry"
            >
              Check for a new route
            </button>
          </section>
        );
      }
      return (
        <section class="card driver-card" aria-labelledby="no-route" data-testid="no-route">
          <h1 id="no-route" class="driver-card-title">
            No route for you yet
          </h1>
          <p>When dispatch publishes your route, it shows here.</p>
          <button type="button" class="button button-wide" onClick={props.onRetry} data-testid="day-retry">
            Check again
          </button>
        </section>
      );
    case "offline":
      return (
        <section class="card notice driver-card" aria-labelledby="day-offline" data-testid="day-offline">
          <h1 id="day-offline" class="driver-card-title">
            You're offline
          </h1>
          <p>Today's route is not on this phone yet. Connect once to download it; after that it works offline.</p>
          <button type="button" class="button button-wide" onClick={props.onRetry} data-testid="day-retry">
            Try again
          </button>
        </section>
      );
    case "failed":
      return (
        <section class="card notice driver-card" aria-labelledby="day-failed" data-testid="day-failed">
          <h1 id="day-failed" class="driver-card-title">
            Today's route could not be loaded
          </h1>
          <p>Doorstep had a problem. Try again in a moment.</p>
          <button type="button" class="button button-wide" onClick={props.onRetry} data-testid="day-retry">
            Try again
          </button>
        </section>
      );
  }
}
