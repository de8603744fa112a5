// What the dispatch screen's buttons and live events do: ask the server (api/planning.ts) and record
// the answers (state/dispatch.ts). Answers that arrive after the dispatcher moved on to another day
// are dropped.
import { batch } from "@preact/signals";
import { ApiError } from "../../api/client";
import { connectLive, socketUrl } from "../../api/live";
import { loadConflicts } from "./ConflictsPanel";
import { requestInboxReload } from "./InboxPanel";
import { refreshesInbox } from "./inbox";
import { loadRecentProofs, PROOF_EVENTS } from "./ProofsPanel";
import { loadReturnsToReceive } from "./ReturnsPanel";
import { RETURN_EVENTS } from "./returns-desk";
import {
  createOrder,
  createPlan,
  getOrganization,
  getPlan,
  getRoute,
  listLocations,
  listOrders,
  listPlans,
  listUsers,
  listVehicles,
  MAX_PAGE,
  publishPlan,
  reassignStop,
  withdrawRoute as postWithdrawRoute,
  type OrderCreate,
  type OrderSummary,
  type Plan,
  type Route,
  type StopReassigned,
} from "../../api/planning";
import { latestPositions } from "../../api/positions";
import {
  dayPlans,
  driverPositions,
  fleet,
  followNewest,
  knownOrders,
  liveEtas,
  liveStatus,
  openPlan,
  pickedPoint,
  routeDetails,
  selectedRouteId,
  serviceDate,
  shownRevision,
  timeZone,
  waitingOrders,
  type Loadable,
} from "../../state/dispatch";
import { session } from "../../state/session";
import { planningDayIn } from "./format";
import { mergeRefresh, refreshFor, type Refresh } from "./live-events";
import { parseEtas, parsePositions, withEtas, withPositions } from "./live-positions";
import { dispatchErrorMessage } from "./messages";
import { diffSnapshots, snapshotRoutes } from "./revision-diff";
import { nextRevisionLog, revisionLog, revisionLogText } from "./revision-log";

/** How long the solver may search by default; the answer comes in about this time plus the matrices. */
export const DEFAULT_TIME_BUDGET_S = 5;
/** Events come in bursts (publishing moves every order of the plan): one reload after the burst. */
const LIVE_REFRESH_DELAY_MS = 300;

/** A session that ended while the screen was open sends the person back to the sign-in form. */
function noticeSignedOut(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    session.value = { status: "signed-out", notice: "Your session has ended. Sign in again to go on planning." };
  }
}

function failed(error: unknown): { status: "failed"; message: string } {
  noticeSignedOut(error);
  return { status: "failed", message: dispatchErrorMessage(error) };
}

function remember(orders: readonly OrderSummary[]): void {
  if (orders.length === 0) return;
  const next = new Map(knownOrders.value);
  for (const order of orders) next.set(order.id, order);
  knownOrders.value = next;
}

/**
 * Everything the screen needs, for the organization's today. Nothing of an earlier visit is kept: the
 * person signed in may have changed (and with them the organization) since the screen was last open.
 */
export async function loadBoard(): Promise<void> {
  batch(() => {
    serviceDate.value = "";
    waitingOrders.value = { status: "loading" };
    fleet.value = { status: "loading" };
    dayPlans.value = { status: "loading" };
    openPlan.value = null;
    followNewest.value = true;
    routeDetails.value = new Map();
    knownOrders.value = new Map();
    selectedRouteId.value = null;
    shownRevision.value = null;
    revisionLog.value = null;
    pickedPoint.value = null;
    driverPositions.value = new Map();
    liveEtas.value = new Map();
  });
  await loadOrganization();
  serviceDate.value = planningDayIn(timeZone.value);
  await Promise.all([
    loadWaitingOrders(),
    loadFleet(),
    loadDayPlans({ openNewest: openPlan.value === null }),
    loadPositions(),
  ]);
}

/** Every driver's last position, for the map; the live frames move them from there. */
export async function loadPositions(): Promise<void> {
  try {
    driverPositions.value = withPositions(driverPositions.value, await latestPositions());
  } catch (error) {
    noticeSignedOut(error); // otherwise the map goes on without drivers until their next position
  }
}

/** The organization's time zone for every clock time on screen; the browser's stays if it can't be had. */
async function loadOrganization(): Promise<void> {
  try {
    const organization = await getOrganization();
    if (isTimeZone(organization.timezone)) timeZone.value = organization.timezone;
  } catch (error) {
    noticeSignedOut(error);
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export async function loadWaitingOrders(): Promise<void> {
  try {
    // planned and those on the road: a full page too, so a reopened plan's stops can still say whose they are
    const [created, requested, planned, out, arriving] = await Promise.all([
      listOrders("created", MAX_PAGE),
      listOrders("requested", MAX_PAGE),
      listOrders("planned", MAX_PAGE),
      listOrders("out_for_delivery", MAX_PAGE),
      listOrders("arriving", MAX_PAGE),
    ]);
    remember([...created.items, ...requested.items, ...planned.items, ...out.items, ...arriving.items]);
    waitingOrders.value = {
      status: "ready",
      value: {
        created: created.items,
        createdTotal: created.total,
        requested: requested.items,
        requestedTotal: requested.total,
        plannedTotal: planned.total,
      },
    };
  } catch (error) {
    waitingOrders.value = failed(error);
  }
}

export async function loadFleet(): Promise<void> {
  try {
    const [vehicles, users, locations] = await Promise.all([listVehicles(), listUsers(), listLocations()]);
    fleet.value = {
      status: "ready",
      value: {
        vehicles: vehicles.items,
        vehicleById: new Map(vehicles.items.map((v) => [v.id, v])),
        personById: new Map(users.items.map((u) => [u.id, u])),
        depots: locations.items.filter((l) => l.kind === "depot"),
      },
    };
  } catch (error) {
    fleet.value = failed(error);
  }
}

/** The day's revisions; openNewest reopens the newest one, as on arriving at the screen. */
export async function loadDayPlans(options: { openNewest: boolean }): Promise<void> {
  const date = serviceDate.value;
  try {
    const page = await listPlans(date);
    if (serviceDate.value !== date) return;
    dayPlans.value = { status: "ready", value: page.items };
    const newest = page.items[0];
    if (options.openNewest && newest && openPlan.value?.id !== newest.id) await openPlanById(newest.id);
  } catch (error) {
    if (serviceDate.value === date) dayPlans.value = failed(error);
  }
}

/** Another day: its plans, the newest of them open, nothing of the day before left on screen. */
export async function changeDate(date: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date === serviceDate.value) return;
  batch(() => {
    serviceDate.value = date;
    followNewest.value = true;
    dayPlans.value = { status: "loading" };
    if (openPlan.value?.service_date !== date) showPlan(null);
  });
  await loadDayPlans({ openNewest: true });
}

function showPlan(plan: Plan | null): void {
  batch(() => {
    const samePlan = plan !== null && openPlan.value?.id === plan.id;
    openPlan.value = plan;
    if (!samePlan) {
      routeDetails.value = new Map(plan?.routes.map((r) => [r.id, { status: "loading" } as const]) ?? []);
      selectedRouteId.value = null;
      shownRevision.value = null;
      revisionLog.value = null;
    }
  });
  if (plan) void loadRoutes(plan);
}

async function fetchRoutes(plan: Plan): Promise<Map<string, Loadable<Route>>> {
  const answers = await Promise.all(
    plan.routes.map(async (summary): Promise<[string, Loadable<Route>]> => {
      try {
        return [summary.id, { status: "ready", value: await getRoute(summary.id) }];
      } catch (error) {
        return [summary.id, failed(error)];
      }
    }),
  );
  return new Map(answers);
}

async function loadRoutes(plan: Plan): Promise<void> {
  const routes = await fetchRoutes(plan);
  if (openPlan.value?.id !== plan.id) return;
  routeDetails.value = routes;
}

/** The routes on screen, if every one of them is loaded (a half-loaded plan is no base for a diff). */
function readyRoutes(details: ReadonlyMap<string, Loadable<Route>>): Route[] | null {
  const routes: Route[] = [];
  for (const detail of details.values()) {
    if (detail.status !== "ready") return null;
    routes.push(detail.value);
  }
  return routes;
}

/** Solves the chosen day and opens the new draft. Throws ApiError or NetworkError for the form to show. */
export async function planDay(timeBudgetS: number = DEFAULT_TIME_BUDGET_S): Promise<Plan> {
  const date = serviceDate.value;
  let plan: Plan;
  try {
    plan = await createPlan(date, timeBudgetS);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
  if (serviceDate.value === date) {
    followNewest.value = true;
    showPlan(plan);
  }
  void loadDayPlans({ openNewest: false });
  return plan;
}

/** Opens a revision of the day; picking one older than the newest keeps it on screen against live news. */
export async function openPlanById(planId: string): Promise<void> {
  try {
    const plan = await getPlan(planId);
    if (plan.service_date !== serviceDate.value) return;
    const plans = dayPlans.value.status === "ready" ? dayPlans.value.value : [];
    followNewest.value = plans.every((other) => other.revision <= plan.revision);
    showPlan(plan);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
}

/** Publishes the open plan; its orders become planned. Throws ApiError (409 when stale) for the panel. */
export async function publishOpenPlan(): Promise<Plan> {
  const plan = openPlan.value;
  if (!plan) throw new Error("No plan is open");
  let published: Plan;
  try {
    published = await publishPlan(plan.id);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
  if (openPlan.value?.id === plan.id) showPlan(published);
  await Promise.all([loadDayPlans({ openNewest: false }), loadWaitingOrders()]);
  return published;
}

/** Adds an order (it waits for the next plan, or for the live re-planning of a published day). */
export async function addOrder(order: OrderCreate): Promise<OrderSummary> {
  let created: OrderSummary;
  try {
    created = await createOrder(order);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
  remember([created]);
  await loadWaitingOrders();
  return created;
}

/**
 * Reloads what live events said changed, then compares the open plan's stops with what was on screen.
 * The day's newest plan is opened unless the dispatcher picked an older revision to read (followNewest).
 */
export async function refreshFromLive(refresh: Refresh): Promise<void> {
  const date = serviceDate.value;
  if (!date) return;
  if (refresh.orders) void loadWaitingOrders();
  if (!refresh.plans) {
    if (refresh.routes) await reloadRoutes(refresh.routes);
    return;
  }

  const shown = openPlan.value;
  const before = readyRoutes(routeDetails.value);
  const wasNewest = shown === null || followNewest.value;
  try {
    const page = await listPlans(date);
    if (serviceDate.value !== date) return;
    dayPlans.value = { status: "ready", value: page.items };
    const targetId = wasNewest ? (page.items[0]?.id ?? null) : (shown?.id ?? null);
    if (targetId === null) return;
    const plan = await getPlan(targetId);
    const routes = await fetchRoutes(plan);
    if (serviceDate.value !== date || openPlan.value?.id !== shown?.id) return; // the dispatcher moved on
    const after = readyRoutes(routes);
    const samePlan = shown?.id === plan.id;
    // Amendments add up until the dispatcher dismisses the notice: old → new from what they last saw.
    const log = samePlan && shownRevision.value?.planId === plan.id ? revisionLog.value : null;
    const base = log?.base ?? (before ? snapshotRoutes(before) : null);
    const diff = base && after ? diffSnapshots(base, snapshotRoutes(after)) : null;
    const next =
      diff && shown
        ? nextRevisionLog({
            log,
            planId: plan.id,
            before: base ?? new Map(),
            beforeUnassigned: samePlan ? shown.unassigned : plan.unassigned,
            afterUnassigned: plan.unassigned,
            revisions: refresh.revisions ?? [],
            step: before ? diffSnapshots(snapshotRoutes(before), snapshotRoutes(after ?? [])) : diff,
            cause: refresh.cause,
          })
        : null;
    batch(() => {
      openPlan.value = plan;
      routeDetails.value = routes;
      if (!samePlan || !plan.routes.some((r) => r.id === selectedRouteId.value)) selectedRouteId.value = null;
      // A revision made here ("Plan the day") is already on screen: no diff, nothing to announce.
      if (diff && next) {
        shownRevision.value = { planId: plan.id, diff, notice: revisionLogText(next) };
        revisionLog.value = next;
      } else if (!samePlan) {
        shownRevision.value = null;
        revisionLog.value = null;
      }
    });
  } catch (error) {
    noticeSignedOut(error);
    // The next event or reconnect tries again; the screen keeps what it showed.
  }
}

/**
 * Reloads routes of the open plan whose stops moved on the road (arrived, left, done): their stop rows
 * carry the statuses and times. Planned times do not change with them, so there is nothing to compare.
 */
async function reloadRoutes(routeIds: readonly string[]): Promise<void> {
  const plan = openPlan.value;
  const shown = routeIds.filter((id) => routeDetails.value.has(id));
  if (!plan || shown.length === 0) return;
  const answers = await Promise.all(
    shown.map(async (id): Promise<[string, Route] | null> => {
      try {
        return [id, await getRoute(id)];
      } catch (error) {
        noticeSignedOut(error);
        return null; // the next event or reload tries again; the screen keeps what it showed
      }
    }),
  );
  if (openPlan.value?.id !== plan.id) return;
  const next = new Map(routeDetails.value);
  for (const answer of answers) if (answer && next.has(answer[0])) next.set(answer[0], { status: "ready", value: answer[1] });
  routeDetails.value = next;
}

/** Forgets what the live amendments changed: the dispatcher has read it. */
export function dismissRevision(): void {
  batch(() => {
    shownRevision.value = null;
    revisionLog.value = null;
  });
}

/**
 * Takes a live route out (driver unavailable, vehicle broken down): the server skips its open stops and
 * live re-planning hands them to the other routes. Throws ApiError (409 when it is not live) for the dialog.
 */
export async function withdrawRoute(routeId: string, reason: string): Promise<void> {
  try {
    await postWithdrawRoute(routeId, reason);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
  await refreshFromLive({ plans: true, orders: true });
}

/**
 * Moves an open stop to another live route of the day (it stays there in later re-plans); the plan view
 * reloads, showing what moved. Throws ApiError (409 with the server's reason) for the dialog.
 */
export async function moveStop(
  routeId: string,
  stopId: string,
  toRouteId: string,
  idempotencyKey?: string,
): Promise<StopReassigned> {
  let moved: StopReassigned;
  try {
    moved = await reassignStop(routeId, stopId, toRouteId, idempotencyKey);
  } catch (error) {
    noticeSignedOut(error);
    throw error;
  }
  await refreshFromLive({ plans: true, orders: false, reason: "stop moved by a dispatcher" });
  return moved;
}

/** Listens on /ws/dispatch while the screen is open; returns the way to stop. */
export function startLiveUpdates(): () => void {
  let due: Refresh | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;

  function schedule(refresh: Refresh): void {
    due = mergeRefresh(due, refresh);
    if (timer === null) timer = setTimeout(run, LIVE_REFRESH_DELAY_MS);
  }
  function run(): void {
    timer = null;
    if (running) {
      // one reload at a time: what came in meanwhile runs after it
      void running.then(() => {
        if (timer === null && due) timer = setTimeout(run, 0);
      });
      return;
    }
    const refresh = due;
    due = null;
    if (!refresh) return;
    running = refreshFromLive(refresh).finally(() => {
      running = null;
    });
  }

  const connection = connectLive({
    url: socketUrl("/ws/dispatch"),
    onEvent: (event) => {
      if (event.type === "proof.conflict") void loadConflicts();
      if (refreshesInbox(event.type)) requestInboxReload();
      if (PROOF_EVENTS.has(event.type)) void loadRecentProofs();
      if (RETURN_EVENTS.has(event.type)) void loadReturnsToReceive();
      const refresh = refreshFor(event, serviceDate.value);
      if (refresh) schedule(refresh);
    },
    onFrame: (frame) => {
      if (frame.type === "positions") {
        driverPositions.value = withPositions(driverPositions.value, parsePositions(frame.data));
      } else if (frame.type === "etas") {
        const etas = parseEtas(frame.data);
        if (etas) liveEtas.value = withEtas(liveEtas.value, etas);
      }
    },
    onResync: () => {
      schedule({ plans: true, orders: true });
      void loadConflicts();
      requestInboxReload();
      void loadRecentProofs();
      void loadReturnsToReceive();
      void loadPositions(); // positions are not replayed: where everyone is now
    },
    onStatus: (status, detail) => {
      liveStatus.value = status;
      if (status === "stopped" && detail.closeCode === 4401) {
        session.value = { status: "signed-out", notice: "Your session has ended. Sign in again to go on planning." };
      }
    },
  });
  return () => {
    if (timer !== null) clearTimeout(timer);
    connection.close();
  };
}
