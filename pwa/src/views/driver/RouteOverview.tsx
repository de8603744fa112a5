// Today's route: the day, how far along, Start / Finish route, the way to "Load the van", then the stops as a
// list (the next one first) or a map. Signing out is at the foot, out of the thumb's way.
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { Link } from "../../components/Link";
import type { LocalDay } from "../../offline/db";
import { clearDay } from "../../offline/day";
import { pauseSharing, resumeSharing } from "../../offline/location";
import { pendingStops, sharingState, syncStatus } from "../../state/driver";
import { requestErrorMessage } from "../shell/messages";
import { signOutNow } from "../shell/session-actions";
import { finishRoute, startRoute } from "./driver-actions";
import type { RouteMapProps } from "./RouteMap";
import { lastDone, openView, routeTab } from "./screen-state";
import { canFinish, isOpen, loadList, nextOpenStop, progress, type RouteStop } from "./stops";
import { StopList } from "./StopList";
import { countText, routeStatusText, serviceDateText, sharingText } from "./wording";

/** How long "Stop 7 delivered." stays at the top. */
const DONE_MESSAGE_MS = 8_000;

export interface RouteOverviewProps {
  day: LocalDay;
  stops: readonly RouteStop[];
  changed: ReadonlyMap<string, "new" | "moved">;
  user: CurrentUser | null;
}

export function RouteOverview(props: RouteOverviewProps) {
  const { day, stops } = props;
  const route = day.route;
  const next = nextOpenStop(stops);
  const { done, total } = progress(stops);
  const items = loadList(stops, day.local.scanned);
  const loaded = items.filter((item) => item.loaded).length;
  /** On the road, loading matters only while a stop still to do has a parcel not scanned in. */
  const missingForOpenStops = items.some((item) => !item.loaded && item.stop !== null && isOpen(item.stop.stop));
  const busy = useSignal(false);
  const confirmFinish = useSignal(false);
  const error = useSignal<string | null>(null);
  const openStop = (stopId: string) => openView({ name: "stop", stopId });

  useEffect(() => {
    if (!lastDone.value) return;
    const timer = setTimeout(() => (lastDone.value = null), DONE_MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [lastDone.value]);

  async function act(action: () => Promise<void>) {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await action();
      confirmFinish.value = false;
    } catch (failure) {
      console.error("The route action could not be saved.", failure);
      error.value = "This phone could not save that. Try again.";
    } finally {
      busy.value = false;
    }
  }

  const finishable = route.status === "in_progress" && canFinish(stops);
  return (
    <>
      <p class={lastDone.value ? "driver-done-message" : "visually-hidden"} role="status" data-testid="done-message">
        {lastDone.value ?? ""}
      </p>
      <section
        class="card driver-card route-head"
        aria-labelledby="route-heading"
        data-testid="route-head"
        data-route-status={route.status}
      >
        <div class="route-head-top">
          <h1 id="route-heading" class="driver-title">
            Today's route
          </h1>
          <p class="route-head-progress" data-testid="route-progress">
            {done} / {total} done
          </p>
        </div>
        <p class="muted" data-testid="route-status">
          {serviceDateText(route.service_date)} · {routeStatusText(route)}
        </p>
        {route.status === "published" && (
          <button
            type="button"
            class="button button-wide stop-action-main"
            onClick={() => void act(() => startRoute(route.id))}
            aria-disabled={busy.value ? "true" : undefined}
            data-testid="route-start"
          >
            Start route
          </button>
        )}
        {finishable && !confirmFinish.value && (
          <button
            type="button"
            class="button button-wide stop-action-main"
            onClick={() => (confirmFinish.value = true)}
            data-testid="route-finish"
          >
            Finish route
          </button>
        )}
        {finishable && confirmFinish.value && (
          <div class="confirm-box" role="group" aria-labelledby="finish-question">
            <p id="finish-question">Finish the route? Nothing more can be recorded on it after.</p>
            <div class="stop-actions-row">
              <button
                type="button"
                class="button"
                onClick={() => void act(() => finishRoute(route.id))}
                data-testid="route-finish-confirm"
              >
                Yes, finish
              </button>
              <button type="button" class="button button-secondary" onClick={() => (confirmFinish.value = false)}>
                Not yet
              </button>
            </div>
          </div>
        )}
        {/* Loading is the depot's job before the start; on the road it stays at hand only while parcels are missing. */}
        {items.length > 0 &&
          (route.status === "published" || (route.status === "in_progress" && missingForOpenStops)) && (
            <button
              type="button"
              class="button button-secondary button-wide"
              onClick={() => openView({ name: "load" })}
              data-testid="open-load"
            >
              Load the van · {loaded}/{items.length}
            </button>
          )}
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
      </section>

      <div class="route-tabs" role="group" aria-label="Show the stops as">
        <button
          type="button"
          class="route-tab"
          aria-pressed={routeTab.value === "list"}
          onClick={() => (routeTab.value = "list")}
          data-testid="tab-list"
        >
          List
        </button>
        <button
          type="button"
          class="route-tab"
          aria-pressed={routeTab.value === "map"}
          onClick={() => (routeTab.value = "map")}
          data-testid="tab-map"
        >
          Map
        </button>
      </div>

      {routeTab.value === "list" ? (
        <StopList
          stops={stops}
          next={next}
          pending={pendingStops.value}
          changed={props.changed}
          depotName={day.depot?.name ?? null}
          onOpen={openStop}
        />
      ) : (
        <LazyRouteMap
          route={route}
          stops={stops}
          nextStopId={next?.stop.id ?? null}
          depot={day.depot}
          onOpen={openStop}
        />
      )}

      {route.status === "in_progress" && !finishable && (
        <p class="muted">Finish route shows at the top once every stop is done.</p>
      )}
      {route.status === "completed" && (
        <p class="card driver-card" data-testid="route-finished">
          Route finished. Thank you!
        </p>
      )}

      {route.status === "in_progress" && <SharingControl />}
      <SignedInFooter user={props.user} />
    </>
  );
}

/** Pause sharing (a private stop), share again, or ask for the permission again after a refusal. */
function SharingControl() {
  const state = sharingState.value;
  const sharing = state === "live" || state === "buffering";
  return (
    <section class="driver-sharing" aria-labelledby="sharing-heading">
      <h2 id="sharing-heading" class="driver-sharing-title">
        {sharingText(state)}
      </h2>
      <p class="muted">
        {state === "denied"
          ? "This phone does not allow Doorstep to know where you are. Allow location for this site in the browser's settings, then try again."
          : sharing
            ? "Dispatch and your customers see where you are while the route is on."
            : "Dispatch and your customers do not see where you are."}
      </p>
      <button
        type="button"
        class="button button-secondary button-wide"
        onClick={() => (sharing ? pauseSharing() : resumeSharing())}
        data-testid="sharing-toggle"
      >
        {sharing ? "Pause location sharing" : state === "denied" ? "Try location again" : "Share my location"}
      </button>
    </section>
  );
}

function SignedInFooter(props: { user: CurrentUser | null }) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const pending = syncStatus.value.pending;

  async function signOut() {
    if (pending > 0 && !asking.value) {
      asking.value = true;
      return;
    }
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await signOutNow();
      await clearDay();
    } catch (failure) {
      error.value = requestErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <footer class="driver-footer">
      <p>{props.user ? `Signed in as ${props.user.name}.` : "Opened offline with the route stored on this phone."}</p>
      {asking.value && (
        <p class="form-error" role="alert">
          {countText(pending, "action")} still {pending === 1 ? "waits" : "wait"} to sync. They stay on this phone and
          are sent at your next sign-in. Sign out anyway?
        </p>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="stop-actions-row">
        {props.user && (
          <button
            type="button"
            class="button button-secondary"
            onClick={() => void signOut()}
            aria-disabled={busy.value ? "true" : undefined}
            data-testid="driver-sign-out"
          >
            {asking.value ? "Sign out anyway" : "Sign out"}
          </button>
        )}
        <Link class="button button-secondary" href="/">
          Doorstep apps
        </Link>
      </div>
    </footer>
  );
}

/** The map and Leaflet are a chunk of their own, fetched when the Map tab first opens (the list is the default:
 * a cold start on a slow phone does not wait for a map it may never show). Precached, so it opens offline too. */
let mapModule: Promise<FunctionComponent<RouteMapProps>> | null = null;

function LazyRouteMap(props: RouteMapProps) {
  const map = useSignal<{ component: FunctionComponent<RouteMapProps> } | null>(null);
  const failed = useSignal(false);
  useEffect(() => {
    mapModule ??= import("./RouteMap").then((module) => module.RouteMap);
    mapModule.then(
      (component) => (map.value = { component }),
      (error: unknown) => {
        console.error("The map could not be loaded.", error);
        mapModule = null;
        failed.value = true;
      },
    );
  }, []);
  if (failed.value) return <p class="card driver-card">The map did not load. The list has every stop.</p>;
  if (!map.value) return <p class="muted" aria-busy="true">Loading the map…</p>;
  const RouteMap = map.value.component;
  return <RouteMap {...props} />;
}
