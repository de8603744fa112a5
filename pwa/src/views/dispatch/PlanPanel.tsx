// The open plan: its status and totals, Publish, the map (with the drivers where they are), a card per
// route, the orders left out and every route's stops in a table (the same facts as the map, for those
// who don't use it), each stop with how it went on the road and whether it is late.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { OrderSummary, Plan, Route, RouteSummary, Stop } from "../../api/planning";
import type { DriverPosition } from "../../api/positions";
import {
  dayPlans,
  driverPositions,
  fleet,
  knownOrders,
  liveEtas,
  openPlan,
  routeDetails,
  pickedPoint,
  selectedRouteId,
  serviceDate,
  shownRevision,
  timeZone,
  waitingOrders,
  type EtaChange,
  type Fleet,
  type Loadable,
  type ShownRevision,
} from "../../state/dispatch";
import { assignRouteStyles, type RouteStyle } from "./colours";
import { dismissRevision, moveStop, publishOpenPlan, withdrawRoute } from "./dispatch-actions";
import { count, formatClock, formatDuration, formatKm, formatLongDate, formatWindow, isoDuration } from "./format";
import { isLate, isStale, stopEta } from "./live-positions";
import { dispatchErrorMessage } from "./messages";
import { formatEtaDelta } from "./revision-diff";
import { revisionLog, type RevisionLog } from "./revision-log";
import { RouteMap, type MappedDriver, type MappedRoute } from "./RouteMap";
import { canMove, movedText, moveTargets, type MoveTarget } from "./reassign";
import { numberStops, routeSpan } from "./stops";
import { planStatusText, routeStatusText, stopKindText, stopStatusText, unassignedReasonText } from "./wording";

const EMPTY_FLEET: Fleet = { vehicles: [], vehicleById: new Map(), personById: new Map(), depots: [] };

interface RouteView {
  summary: RouteSummary;
  name: string;
  driver: string | null;
  style: RouteStyle;
  detail: Loadable<Route>;
}

/** Route statuses whose card says so with a chip (a published route is the plan's normal state). */
const ROUTE_CHIPS: ReadonlySet<string> = new Set(["in_progress", "completed", "withdrawn"]);

export function PlanPanel() {
  const plan = openPlan.value;
  const fleetState = fleet.value;
  const fleetValue = fleetState.status === "ready" ? fleetState.value : EMPTY_FLEET;
  const details = routeDetails.value;
  const orders = knownOrders.value;
  const selected = selectedRouteId.value;
  const waiting = waitingOrders.value;
  const date = serviceDate.value;
  const zone = timeZone.value;
  const revision = shownRevision.value;
  const changes = plan && revision?.planId === plan.id ? revision : null;
  const log = plan && revisionLog.value?.planId === plan.id ? revisionLog.value : null;
  const highlighted = useMemo(
    () => new Set(changes ? [...changes.diff.added, ...changes.diff.moved, ...changes.diff.etaChanges.map((c) => c.stopId)] : []),
    [changes],
  );
  const positions = driverPositions.value;
  const etas = liveEtas.value;
  // Late: what the live ETAs say, and what the server found (planned times after the window, stored ETAs),
  // less any of those stops that are done by now
  const late = useMemo(() => {
    const ids = new Set<string>();
    const open = new Map<string, boolean>();
    for (const detail of details.values()) {
      if (detail.status !== "ready") continue;
      for (const stop of detail.value.stops) {
        open.set(stop.id, stop.status === "pending" || stop.status === "arrived");
        if (stop.order_id !== null && isLate(stop, orders.get(stop.order_id), etas)) ids.add(stop.id);
      }
    }
    for (const id of plan?.late_stop_ids ?? []) if (open.get(id) !== false) ids.add(id);
    return ids;
  }, [details, orders, etas, plan]);
  const etaByStop = useMemo(() => {
    const byStop = new Map<string, string>();
    for (const detail of details.values()) {
      if (detail.status !== "ready") continue;
      for (const stop of detail.value.stops) {
        const eta = stopEta(stop, etas);
        if (eta) byStop.set(stop.id, eta);
      }
    }
    return byStop;
  }, [details, etas]);

  const routes = useMemo((): RouteView[] => {
    if (!plan) return [];
    const styles = assignRouteStyles(
      plan.routes,
      fleetValue.vehicles.map((v) => v.id),
    );
    return plan.routes.map((summary, index) => {
      const vehicle = fleetValue.vehicleById.get(summary.vehicle_id);
      const driver = summary.driver_id ? fleetValue.personById.get(summary.driver_id) : undefined;
      return {
        summary,
        name: vehicle?.name ?? `Vehicle ${index + 1}`,
        driver: driver?.name ?? null,
        style: styles.get(summary.id) ?? { colour: "#374151", dashed: false },
        detail: details.get(summary.id) ?? { status: "loading" },
      };
    });
  }, [plan, fleetValue, details]);

  // Every driver heard from, on their route's vehicle and colour when they drive one of this plan's routes.
  const drivers = useMemo((): MappedDriver[] => {
    const now = new Date();
    return [...positions.values()].map((position) => {
      const route =
        routes.find((r) => position.route_id !== null && r.summary.id === position.route_id) ??
        routes.find((r) => r.summary.driver_id === position.driver_id);
      const person = fleetValue.personById.get(position.driver_id)?.name;
      const label = route?.name ?? person ?? "Driver";
      const title = [label, person && person !== label ? person : "", formatClock(position.at, zone)].filter(Boolean).join(" · ");
      return {
        id: position.driver_id,
        lat: position.lat,
        lon: position.lon,
        heading: position.heading,
        label,
        title,
        colour: route?.style.colour,
        stale: isStale(position, now),
      };
    });
  }, [positions, routes, fleetValue, zone]);

  const mapped = useMemo(
    (): MappedRoute[] =>
      routes.flatMap((r) =>
        r.detail.status === "ready" && r.summary.status !== "withdrawn"
          ? [{ id: r.summary.id, name: r.name, style: r.style, route: r.detail.value }]
          : [],
      ),
    [routes],
  );
  const waitingList = useMemo(
    () => (waiting.status === "ready" ? [...waiting.value.created, ...waiting.value.requested] : []),
    [waiting],
  );

  const plansState = dayPlans.value;
  if (!plan && plansState.status === "loading") {
    return (
      <section class="card" aria-busy="true" aria-labelledby="plan-loading">
        <h2 id="plan-loading">Loading the day's plans…</h2>
      </section>
    );
  }

  const viewKey = plan ? `${plan.id}:${mapped.length}` : `waiting:${date}:${waitingList.length}`;
  const map = (
    <RouteMap
      routes={mapped}
      depots={fleetValue.depots}
      waiting={plan ? [] : waitingList}
      orderById={orders}
      selectedRouteId={selected}
      highlightedStopIds={highlighted}
      lateStopIds={late}
      etaByStop={etaByStop}
      drivers={drivers}
      picked={pickedPoint.value}
      timeZone={zone}
      onPick={(lat, lon) => (pickedPoint.value = { lat, lon })}
      viewKey={viewKey}
      label={plan ? `Map of the routes of revision ${plan.revision}` : "Map of the orders waiting for a plan"}
    />
  );

  if (!plan) {
    return (
      <section class="card plan" aria-labelledby="plan-none">
        <h2 id="plan-none">No plan for {date ? formatLongDate(date) : "this day"} yet</h2>
        <p class="muted">
          Press “Plan the day” to make routes for the orders waiting; the grey dots show where they are.
        </p>
        {map}
      </section>
    );
  }

  return (
    <>
      <PlanSummaryCard plan={plan} lateCount={late.size} />
      {changes && <RevisionNotice revision={changes} log={log} orders={orders} />}
      <section class="card plan-map" aria-labelledby="map-heading">
        <h2 id="map-heading" class="visually-hidden">
          Map
        </h2>
        {map}
        {routes.some((r) => r.detail.status === "loading") && <p class="muted">Drawing the routes…</p>}
        {(plan.status === "published" || drivers.length > 0) && <MapLegend />}
      </section>
      <RouteCards
        routes={routes}
        selected={selected}
        timeZone={zone}
        published={plan.status === "published"}
        positions={positions}
        late={late}
      />
      <UnassignedList plan={plan} orders={orders} fresh={new Set(log?.unplaced.map((u) => u.orderId) ?? [])} />
      <StopTables
        routes={routes}
        late={late}
        etas={etaByStop}
        orders={orders}
        serviceDate={plan.service_date}
        timeZone={zone}
        changes={changes}
      />
    </>
  );
}

/** The marks the map uses for the road, in words. */
function MapLegend() {
  return (
    <ul class="map-legend" aria-label="Map key">
      <li>
        <span class="legend-mark legend-driver" aria-hidden="true" />
        Driver
      </li>
      <li>
        <span class="legend-mark legend-arrived" aria-hidden="true" />
        Driver at the stop
      </li>
      <li>
        <span class="legend-mark legend-completed" aria-hidden="true" />
        Done
      </li>
      <li>
        <span class="legend-mark legend-failed" aria-hidden="true" />
        Failed
      </li>
      <li>
        <span class="legend-mark legend-skipped" aria-hidden="true" />
        Skipped
      </li>
      <li>
        <span class="legend-mark legend-late" aria-hidden="true" />
        Late
      </li>
    </ul>
  );
}

function PlanSummaryCard(props: { plan: Plan; lateCount: number }) {
  const { plan, lateCount } = props;
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const announcement = useSignal("");
  const heading = useRef<HTMLHeadingElement>(null);
  const shownPlanId = useRef<string | null>(null);

  // A new plan on screen: forget old messages, and when the dispatcher made or picked it (from the
  // "Plan the day" card) move focus to it. A plan that arrived live never takes focus from a form.
  useEffect(() => {
    if (shownPlanId.current !== null && shownPlanId.current !== plan.id) {
      const from = document.activeElement;
      if (!from || from === document.body || from.closest(".dispatch-day")) heading.current?.focus();
      error.value = null;
      announcement.value = "";
    }
    shownPlanId.current = plan.id;
  }, [plan.id]);

  const plans = dayPlans.value.status === "ready" ? dayPlans.value.value : [];
  const newest = plans[0];
  const isNewest = !newest || newest.revision <= plan.revision;
  const live = plans.find((p) => p.status === "published" && p.id !== plan.id);
  const totals = plan.summary;
  const assigned = totals.assigned ?? plan.routes.reduce((sum, r) => sum + r.stop_count, 0);

  async function publish() {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    announcement.value = "";
    try {
      const published = await publishOpenPlan();
      announcement.value = `Revision ${published.revision} is published: its routes are live and their orders planned.`;
      heading.current?.focus();
    } catch (failure) {
      error.value = dispatchErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="card plan" aria-labelledby="plan-heading">
      <div class="plan-head">
        <h2 id="plan-heading" ref={heading} tabIndex={-1}>
          Revision {plan.revision} · {formatLongDate(plan.service_date)}
        </h2>
        <span class={`chip chip-large chip-plan-${plan.status}`} data-testid="plan-status">
          {planStatusText(plan.status)}
        </span>
      </div>
      <ul class="plan-totals">
        <li>{count(totals.routes ?? plan.routes.length, "route")}</li>
        <li>{count(assigned, "stop")} planned</li>
        <li class={plan.unassigned.length > 0 ? "plan-totals-warning" : undefined}>
          {count(plan.unassigned.length, "order")} left out
        </li>
        <li class={lateCount > 0 ? "plan-totals-warning" : undefined} data-testid="plan-late">
          {lateCount > 0 ? `${count(lateCount, "stop")} late` : "No stop late"}
        </li>
        <li>{formatKm(totals.distance_m ?? 0)}</li>
        <li>{formatDuration(totals.duration_s ?? 0)} driving</li>
        {typeof totals.route_s === "number" && (
          <li data-testid="plan-route-time" title="From leaving the depot to getting back: driving, stops, waiting and breaks">
            <time dateTime={isoDuration(totals.route_s)}>{formatDuration(totals.route_s)}</time> route time
          </li>
        )}
      </ul>
      <p class="muted plan-source">
        {travelTimesText(totals.travel_times)}
        {typeof totals.solve_ms === "number" &&
          (totals.solve_ms < 100 ? " Solved in under 0.1 s." : ` Solved in ${(totals.solve_ms / 1000).toFixed(1)} s.`)}
        {(totals.vehicles_without_depot ?? 0) > 0 &&
          ` ${count(totals.vehicles_without_depot ?? 0, "vehicle")} without a depot could not be used.`}
      </p>

      {plan.status === "draft" && (
        <div class="publish">
          {!isNewest && newest && (
            <p class="notice-text">
              Revision {newest.revision} is newer: only the day's newest draft can be published.
            </p>
          )}
          <p class="muted">
            Publishing makes these routes the day's plan and marks their orders planned
            {live
              ? `; it replaces revision ${live.revision}, published at ${formatClock(live.published_at, timeZone.value)}.`
              : "."}
          </p>
          <button
            type="button"
            class="button publish-button"
            onClick={publish}
            aria-disabled={busy.value ? "true" : undefined}
            aria-describedby={error.value ? "publish-error" : undefined}
          >
            {busy.value && <span class="spinner" aria-hidden="true" />}
            {busy.value ? "Publishing…" : `Publish revision ${plan.revision}`}
          </button>
        </div>
      )}
      {plan.status === "published" && (
        <p class="plan-published">
          Published at {formatClock(plan.published_at, timeZone.value)}. Its orders are planned.
        </p>
      )}
      {plan.status === "superseded" && (
        <p class="muted">A later revision was published instead of this one; it is kept for the record.</p>
      )}
      <p role="status" class="plan-announcement">
        {announcement.value}
      </p>
      {error.value && (
        <p id="publish-error" class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </section>
  );
}

/** Which travel times the plan rests on, said plainly: a straight-line plan is rougher than a street one. */
export function travelTimesText(source: string | undefined): string {
  if (!source) return "";
  if (source.includes("fallback")) return "Street travel times were unavailable, so times are estimated from straight lines.";
  if (source.startsWith("road_graph") || source.startsWith("osrm")) return "Times follow the street network.";
  if (source.startsWith("straight_line")) return "Times are estimated from straight-line distances.";
  return `Travel times: ${source}.`;
}

/**
 * "Plan revised" with a line per live amendment since the dispatcher last dismissed it, in the server's
 * words ("New order placed: +1 stop, 3 ETAs changed"), and the orders it could not place, with why.
 */
function RevisionNotice(props: {
  revision: ShownRevision;
  log: RevisionLog | null;
  orders: ReadonlyMap<string, OrderSummary>;
}) {
  const { diff } = props.revision;
  const lines = props.log?.lines ?? [props.revision.notice.replace(/^Plan revised: /, "")];
  const unplaced = props.log?.unplaced ?? [];
  const onRoutes = diff.etaChanges.length > 0 || diff.added.length > 0 || diff.moved.length > 0;
  return (
    <section class="card revision-notice" role="status" aria-labelledby="revision-heading" data-testid="revision-notice">
      <div class="revision-notice-head">
        <h2 id="revision-heading">Plan revised</h2>
        <button type="button" class="button button-secondary" onClick={dismissRevision}>
          Dismiss
        </button>
      </div>
      {lines.length > 0 && (
        <ul class="revision-lines">
          {lines.map((line, index) => (
            <li key={index} data-testid="revision-line">
              {line}
            </li>
          ))}
        </ul>
      )}
      {unplaced.length > 0 && (
        <div class="revision-unplaced">
          <h3>Could not be placed</h3>
          <ul>
            {unplaced.map((item) => {
              const order = props.orders.get(item.orderId);
              return (
                <li key={item.orderId} data-testid="revision-unplaced">
                  <strong>{order ? order.recipient_name : `Order ${item.orderId.slice(-8)}`}</strong>
                  {": "}
                  {item.reasonText}
                  {item.detail && <span class="muted"> · {item.detail}</span>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <p class="muted">
        {onRoutes
          ? "Changed stops are marked in the stop lists and ringed on the map; old → new times are against what was on screen before."
          : diff.removed.length > 0
            ? "The stops that left the plan are no longer on any route."
            : "No route changed."}
      </p>
    </section>
  );
}

function RouteCards(props: {
  routes: RouteView[];
  selected: string | null;
  timeZone: string;
  published: boolean;
  /** Drivers' last positions by driver id. */
  positions: ReadonlyMap<string, DriverPosition>;
  /** Open stops expected after their window. */
  late: ReadonlySet<string>;
}) {
  if (props.routes.length === 0) {
    return (
      <section class="card" aria-labelledby="routes-heading">
        <h2 id="routes-heading">Routes</h2>
        <p class="muted">This plan has no route: no order could be given to a vehicle.</p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="routes-heading">
      <h2 id="routes-heading">Routes</h2>
      <ul class="route-cards">
        {props.routes.map((route) => {
          const [leaves, returns] =
            route.detail.status === "ready" ? routeSpan(route.detail.value.stops) : [null, null];
          const isSelected = props.selected === route.summary.id;
          const position = route.summary.driver_id ? props.positions.get(route.summary.driver_id) : undefined;
          const lateCount =
            route.detail.status === "ready" ? route.detail.value.stops.filter((stop) => props.late.has(stop.id)).length : 0;
          return (
            <li
              key={route.summary.id}
              class="route-card"
              style={{ "--route-colour": route.style.colour }}
              data-testid="route-card"
            >
              <div class="route-card-head">
                <Swatch style={route.style} />
                <h3 class="route-card-name">{route.name}</h3>
                {ROUTE_CHIPS.has(route.summary.status) && (
                  <span class={`chip chip-route-${route.summary.status}`} data-testid="route-status">
                    {routeStatusText(route.summary.status)}
                  </span>
                )}
              </div>
              <p class="route-card-driver">{route.driver ? `Driver: ${route.driver}` : "No driver assigned"}</p>
              {position && (
                <p class="route-card-position" data-testid="route-position">
                  Position at <time dateTime={position.at}>{formatClock(position.at, props.timeZone)}</time>
                </p>
              )}
              {lateCount > 0 && (
                <p class="route-card-late" data-testid="route-late">
                  {count(lateCount, "stop")} late
                </p>
              )}
              <dl class="route-card-facts">
                <div>
                  <dt>Stops</dt>
                  <dd>{route.summary.stop_count}</dd>
                </div>
                <div>
                  <dt>Distance</dt>
                  <dd>{formatKm(route.summary.distance_m)}</dd>
                </div>
                <div>
                  <dt>Driving</dt>
                  <dd>
                    <time dateTime={isoDuration(route.summary.duration_s)}>{formatDuration(route.summary.duration_s)}</time>
                  </dd>
                </div>
                <div>
                  <dt>Out</dt>
                  <dd>
                    {leaves && returns
                      ? `${formatClock(leaves, props.timeZone)}–${formatClock(returns, props.timeZone)}`
                      : "…"}
                  </dd>
                </div>
              </dl>
              <div class="route-card-actions">
                {route.summary.status !== "withdrawn" && ( // a withdrawn route is not on the map
                  <button
                    type="button"
                    class="button button-secondary"
                    aria-pressed={isSelected ? "true" : "false"}
                    onClick={() => (selectedRouteId.value = isSelected ? null : route.summary.id)}
                  >
                    <span class="visually-hidden">{route.name}: </span>
                    {isSelected ? "Highlighted on map" : "Highlight on map"}
                  </button>
                )}
                <a class="button button-secondary" href={`#stops-${route.summary.id}`} onClick={() => openStops(route.summary.id)}>
                  <span class="visually-hidden">{route.name}: </span>Stop list
                </a>
                {props.published && WITHDRAWABLE.has(route.summary.status) && (
                  <WithdrawRoute routeId={route.summary.id} name={route.name} />
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A route the server lets a dispatcher take out (backend/routing/service.py, withdraw_route). */
const WITHDRAWABLE: ReadonlySet<string> = new Set(["published", "in_progress"]);

/**
 * "Withdraw route": a dialog asks why (kept in the event log), then the server skips the route's open
 * stops and live re-planning hands them to the other routes. A refusal shows the server's words.
 */
function WithdrawRoute(props: { routeId: string; name: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const reason = useSignal("");
  const errorId = `withdraw-error-${props.routeId}`;

  function open() {
    error.value = null;
    reason.value = "";
    dialog.current?.showModal();
  }

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const why = reason.value.trim();
    if (!why) {
      error.value = "Say why the route is withdrawn: the drivers and the log need it.";
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await withdrawRoute(props.routeId, why);
      dialog.current?.close();
    } catch (failure) {
      error.value = dispatchErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <>
      <button type="button" class="button button-secondary button-danger" onClick={open}>
        <span class="visually-hidden">{props.name}: </span>Withdraw route
      </button>
      <dialog ref={dialog} class="withdraw-dialog" aria-labelledby={`withdraw-heading-${props.routeId}`}>
        <form class="form" method="dialog" onSubmit={submit} aria-describedby={error.value ? errorId : undefined}>
          <h2 id={`withdraw-heading-${props.routeId}`}>Withdraw {props.name}?</h2>
          <p>
            Its stops not yet done leave this route and live re-planning gives them to the other vehicles; any
            that do not fit are left out. Stops already done stay done.
          </p>
          <div class="field">
            <label for={`withdraw-reason-${props.routeId}`}>Reason</label>
            <input
              id={`withdraw-reason-${props.routeId}`}
              name="reason"
              maxLength={200}
              autocomplete="off"
              placeholder="Driver ill, van broken down…"
              value={reason.value}
              onInput={(event) => (reason.value = event.currentTarget.value)}
              required
            />
          </div>
          {error.value && (
            <p id={errorId} class="form-error" role="alert">
              {error.value}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" class="button button-secondary" onClick={() => dialog.current?.close()}>
              Keep the route
            </button>
            <button type="submit" class="button button-danger-solid" aria-disabled={busy.value ? "true" : undefined}>
              {busy.value && <span class="spinner" aria-hidden="true" />}
              {busy.value ? "Withdrawing…" : "Withdraw route"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** The stop list link opens its <details> too, so the jump lands on the table, not a closed summary. */
function openStops(routeId: string): void {
  const details = document.getElementById(`stops-${routeId}`);
  if (details instanceof HTMLDetailsElement) details.open = true;
}

function Swatch(props: { style: RouteStyle }) {
  return (
    <svg class="swatch" width="28" height="12" viewBox="0 0 28 12" aria-hidden="true">
      <line
        x1="2"
        y1="6"
        x2="26"
        y2="6"
        stroke={props.style.colour}
        stroke-width="6"
        stroke-linecap="round"
        stroke-dasharray={props.style.dashed ? "6 5" : undefined}
      />
    </svg>
  );
}

function UnassignedList(props: { plan: Plan; orders: ReadonlyMap<string, OrderSummary>; fresh: ReadonlySet<string> }) {
  const left = props.plan.unassigned;
  return (
    <section class="card" aria-labelledby="unassigned-heading">
      <h2 id="unassigned-heading">Left out{left.length > 0 ? ` (${left.length})` : ""}</h2>
      {left.length === 0 ? (
        <p class="muted">Every order waiting was given a route.</p>
      ) : (
        <ul class="unassigned-list">
          {left.map((item) => {
            const order = props.orders.get(item.order_id);
            return (
              <li key={item.order_id} class="unassigned" data-testid="unassigned">
                <p class="unassigned-who">
                  <strong>{order ? order.recipient_name : `Order ${item.order_id.slice(-8)}`}</strong>
                  {order && <span class="muted"> · {order.address}</span>}
                  {props.fresh.has(item.order_id) && <span class="chip chip-change">New</span>}
                </p>
                <p class="unassigned-reason">{unassignedReasonText(item.reason)}</p>
                {item.detail && <p class="muted unassigned-detail">{item.detail}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function StopTables(props: {
  routes: RouteView[];
  late: ReadonlySet<string>;
  etas: ReadonlyMap<string, string>;
  orders: ReadonlyMap<string, OrderSummary>;
  serviceDate: string;
  timeZone: string;
  changes: ShownRevision | null;
}) {
  const etaChanges = useMemo(
    () => new Map((props.changes?.diff.etaChanges ?? []).map((change) => [change.stopId, change])),
    [props.changes],
  );
  const added = useMemo(() => new Set(props.changes?.diff.added ?? []), [props.changes]);
  const moved = useMemo(() => new Set(props.changes?.diff.moved ?? []), [props.changes]);
  const moveNotice = useSignal({ text: "", count: 0 });
  const noticeRef = useRef<HTMLParagraphElement>(null);
  // once the notice is on screen: the row and its button are gone from this table, so say where the stop went
  useEffect(() => {
    if (moveNotice.value.count > 0) noticeRef.current?.focus();
  }, [moveNotice.value.count]);
  if (props.routes.length === 0) return null;

  function onMoved(text: string) {
    moveNotice.value = { text, count: moveNotice.value.count + 1 };
  }

  return (
    <section class="card" aria-labelledby="stops-heading">
      <h2 id="stops-heading">Stops</h2>
      <p class="muted">Planned times are in the organization's time zone ({props.timeZone}).</p>
      <p role="status" class="stop-move-notice" ref={noticeRef} tabIndex={-1} data-testid="move-notice">
        {moveNotice.value.text}
      </p>
      {props.routes.map((route, index) => (
        <details key={route.summary.id} id={`stops-${route.summary.id}`} class="stops" open={index === 0}>
          <summary>
            <Swatch style={route.style} />
            <span>
              {route.name} · {count(route.summary.stop_count, "stop")}
            </span>
          </summary>
          {route.detail.status === "loading" && <p class="muted">Loading the stops…</p>}
          {route.detail.status === "failed" && (
            <p class="form-error" role="alert">
              {route.detail.message}
            </p>
          )}
          {route.detail.status === "ready" && (
            <StopTable
              name={route.name}
              routeId={route.summary.id}
              routeStatus={route.summary.status}
              targets={moveTargets(props.routes, route.summary.id)}
              onMoved={onMoved}
              stops={route.detail.value.stops}
              late={props.late}
              etas={props.etas}
              orders={props.orders}
              serviceDate={props.serviceDate}
              timeZone={props.timeZone}
              etaChanges={etaChanges}
              added={added}
              moved={moved}
            />
          )}
        </details>
      ))}
    </section>
  );
}

function StopTable(props: {
  name: string;
  routeId: string;
  routeStatus: string;
  /** The plan's other live routes, where an open stop of this one can go. */
  targets: MoveTarget[];
  onMoved: (text: string) => void;
  stops: Stop[];
  late: ReadonlySet<string>;
  etas: ReadonlyMap<string, string>;
  orders: ReadonlyMap<string, OrderSummary>;
  serviceDate: string;
  timeZone: string;
  etaChanges: ReadonlyMap<string, EtaChange>;
  added: ReadonlySet<string>;
  moved: ReadonlySet<string>;
}) {
  const zone = props.timeZone;
  return (
    <table class="stop-table">
      <caption class="visually-hidden">Stops of {props.name} in driving order</caption>
      <thead>
        <tr>
          <th scope="col">
            <abbr title="Stop number">#</abbr>
          </th>
          <th scope="col">Arrive</th>
          <th scope="col">Leave</th>
          <th scope="col">Stop</th>
        </tr>
      </thead>
      <tbody>
        {numberStops(props.stops).map(({ stop, number }) => {
          const order = stop.order_id ? props.orders.get(stop.order_id) : undefined;
          const change = props.etaChanges.get(stop.id);
          const isNew = props.added.has(stop.id);
          const isMoved = props.moved.has(stop.id);
          const lateStop = props.late.has(stop.id);
          const open = stop.status === "pending" || stop.status === "arrived";
          const eta = open && stop.order_id !== null ? props.etas.get(stop.id) : undefined;
          const rowClass = [
            number === null ? "stop-depot" : "",
            change || isNew || isMoved ? "stop-changed" : "",
            lateStop ? "stop-late" : "",
            stop.order_id !== null && !open ? "stop-done" : "",
          ].join(" ").trim();
          return (
            <tr key={stop.id} class={rowClass || undefined} data-testid="stop-row">
              <td class="stop-number">{number ?? ""}</td>
              <td class="stop-arrive">
                {change ? (
                  <EtaMoved change={change} timeZone={zone} />
                ) : (
                  <ClockTime iso={stop.kind === "start" ? null : stop.planned_arrival_at} timeZone={zone} />
                )}
                {eta && (
                  <span class="stop-eta" data-testid="stop-eta">
                    ETA <time dateTime={eta}>{formatClock(eta, zone)}</time>
                  </span>
                )}
              </td>
              <td>
                <ClockTime iso={stop.kind === "end" ? null : stop.planned_departure_at} timeZone={zone} />
              </td>
              <td class="stop-what">
                {order ? (
                  <>
                    <strong>{order.recipient_name}</strong>
                    <span class="stop-address">{order.address}</span>
                  </>
                ) : stop.order_id ? (
                  <strong>Order {stop.order_id.slice(-8)}</strong>
                ) : null}
                <span class="stop-kind">{stopNote(stop, order, props.serviceDate, zone)}</span>
                {stop.order_id !== null && stop.status !== "pending" && (
                  <span class={`chip chip-stop-${stop.status}`} data-testid="stop-status">
                    {stopStatusText(stop.status)}
                    {stop.status === "completed" && stop.completed_at ? ` ${formatClock(stop.completed_at, zone)}` : ""}
                    {stop.status === "arrived" && stop.arrived_at ? ` ${formatClock(stop.arrived_at, zone)}` : ""}
                  </span>
                )}
                {lateStop && (
                  <span class="chip chip-late" data-testid="stop-late">
                    Late
                  </span>
                )}
                {isNew && <span class="chip chip-change">New</span>}
                {isMoved && <span class="chip chip-change">Moved here</span>}
                {stop.pinned && stop.order_id !== null && open && (
                  <span class="chip chip-pinned" title="A dispatcher put it on this route: re-plans keep it here">
                    Kept on this route
                  </span>
                )}
                {props.targets.length > 0 && canMove(stop, props.routeStatus) && (
                  <MoveStop
                    routeId={props.routeId}
                    stopId={stop.id}
                    who={order?.recipient_name ?? `Order ${stop.order_id?.slice(-8) ?? ""}`}
                    targets={props.targets}
                    onMoved={props.onMoved}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * "Move to…": a dialog picks another live route of the day (by vehicle and driver) and the server moves the
 * stop there, at its cheapest place, re-timing both routes; the order stays there in later re-plans. A
 * refusal (the driver is already on the way, the van is full, lacks a skill…) shows the server's words.
 */
function MoveStop(props: {
  routeId: string;
  stopId: string;
  who: string;
  targets: MoveTarget[];
  onMoved: (text: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const choice = useSignal("");
  const isOpen = useSignal(false);
  // one key per opening of the dialog: a second click or a retry after a lost answer is the same move
  const key = useRef("");
  const id = `move-${props.stopId}`;

  // The dialog is in the page only while open: a day of sixty stops would otherwise carry sixty of them.
  useEffect(() => {
    if (isOpen.value) dialog.current?.showModal();
  }, [isOpen.value]);

  function open() {
    error.value = null;
    choice.value = props.targets[0]?.routeId ?? "";
    key.current = crypto.randomUUID();
    isOpen.value = true;
  }

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const target = props.targets.find((t) => t.routeId === choice.value);
    if (!target) {
      error.value = "Choose the route to move the stop to.";
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      const moved = await moveStop(props.routeId, props.stopId, target.routeId, `${key.current}:${target.routeId}`);
      dialog.current?.close();
      props.onMoved(movedText(moved, props.who, target.label));
    } catch (failure) {
      error.value = dispatchErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <>
      <button type="button" class="button button-secondary stop-move" onClick={open}>
        Move to…<span class="visually-hidden"> another route: {props.who}</span>
      </button>
      {isOpen.value && (
        <dialog
          ref={dialog}
          class="withdraw-dialog move-dialog"
          aria-labelledby={`${id}-heading`}
          onClose={() => (isOpen.value = false)}
        >
          <form class="form" method="dialog" onSubmit={submit} aria-describedby={error.value ? `${id}-error` : undefined}>
            <h2 id={`${id}-heading`}>Move {props.who} to another route</h2>
            <p>
              The stop goes where it adds the least driving on the chosen route; both drivers get their new
              times, and later re-plans keep it there.
            </p>
            <div class="field">
              <label for={`${id}-route`}>Route</label>
              <select
                id={`${id}-route`}
                name="route"
                value={choice.value}
                onChange={(event) => (choice.value = event.currentTarget.value)}
              >
                {props.targets.map((target) => (
                  <option key={target.routeId} value={target.routeId}>
                    {target.label}
                  </option>
                ))}
              </select>
            </div>
            {error.value && (
              <p id={`${id}-error`} class="form-error" role="alert">
                {error.value}
              </p>
            )}
            <div class="dialog-actions">
              <button type="button" class="button button-secondary" onClick={() => dialog.current?.close()}>
                Keep it here
              </button>
              <button type="submit" class="button" aria-disabled={busy.value ? "true" : undefined}>
                {busy.value && <span class="spinner" aria-hidden="true" />}
                {busy.value ? "Moving…" : "Move stop"}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </>
  );
}

/** What happens at a stop, and the window the customer was promised when the stop is at their door. */
function stopNote(stop: Stop, order: OrderSummary | undefined, serviceDate: string, timeZone: string): string {
  const what = stopKindText(stop.kind, order?.kind); // how it went on the road is the chip beside it
  const atTheCustomer = stop.kind === "pickup" || (stop.kind === "delivery" && order?.kind !== "return");
  if (!order?.window_start_at || !atTheCustomer) return what;
  return `${what} · window ${formatWindow(order.window_start_at, order.window_end_at, serviceDate, timeZone)}`;
}

function ClockTime(props: { iso: string | null; timeZone: string }) {
  if (!props.iso) return <span class="muted">–</span>;
  return <time dateTime={props.iso}>{formatClock(props.iso, props.timeZone)}</time>;
}

/** "08:43 → 08:51 (+8 min)": the old time struck through, for eyes and for screen readers in words. */
function EtaMoved(props: { change: EtaChange; timeZone: string }) {
  const { change } = props;
  return (
    <span class="eta-moved" data-testid="eta-change">
      <span class="visually-hidden">was </span>
      <del>
        <time dateTime={change.before}>{formatClock(change.before, props.timeZone)}</time>
      </del>
      <span aria-hidden="true"> → </span>
      <span class="visually-hidden">, now </span>
      <ins>
        <time dateTime={change.after}>{formatClock(change.after, props.timeZone)}</time>
      </ins>{" "}
      <span class="eta-delta">({formatEtaDelta(change.deltaS)})</span>
    </span>
  );
}
