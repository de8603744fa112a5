// "Plan the day": the day, how long the solver may search, the button that solves it, whether the
// screen is live, and the day's revisions to reopen.
import { useSignal } from "@preact/signals";
import type { TargetedEvent, TargetedSubmitEvent } from "preact";
import type { LiveStatus } from "../../api/live";
import { dayPlans, liveStatus, openPlan, serviceDate, timeZone, waitingOrders } from "../../state/dispatch";
import { changeDate, DEFAULT_TIME_BUDGET_S, openPlanById, planDay } from "./dispatch-actions";
import { count, formatClock, formatLongDate } from "./format";
import { dispatchErrorMessage } from "./messages";
import { planStatusText } from "./wording";

export function PlanDayCard() {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const announcement = useSignal("");
  const budgetS = useSignal<number>(DEFAULT_TIME_BUDGET_S);
  const date = serviceDate.value;
  const waiting = waitingOrders.value;
  const waitingCount =
    waiting.status === "ready" ? waiting.value.createdTotal + waiting.value.requestedTotal : null;

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    announcement.value =
      waitingCount === null
        ? "Planning the day. This takes a few seconds."
        : `Planning ${count(waitingCount, "order")}. This takes a few seconds.`;
    try {
      const plan = await planDay(budgetS.value);
      announcement.value = `Revision ${plan.revision} made: ${count(plan.routes.length, "route")}, ${count(
        plan.unassigned.length,
        "order",
      )} left out.`;
    } catch (failure) {
      announcement.value = "";
      error.value = dispatchErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  function pickDate(event: TargetedEvent<HTMLInputElement>) {
    error.value = null;
    announcement.value = "";
    void changeDate(event.currentTarget.value);
  }

  return (
    <section class="card" aria-labelledby="plan-day-heading">
      <h2 id="plan-day-heading">Plan the day</h2>
      <form class="form plan-day-form" onSubmit={submit} aria-describedby={error.value ? "plan-day-error" : undefined}>
        <div class="field">
          <label for="service-date">Day</label>
          <input id="service-date" name="service_date" type="date" value={date} onChange={pickDate} required />
        </div>
        <div class="field">
          <label for="time-budget">Time to search for better routes</label>
          <select
            id="time-budget"
            name="time_budget_s"
            value={String(budgetS.value)}
            onChange={(event) => (budgetS.value = Number(event.currentTarget.value))}
          >
            {TIME_BUDGETS_S.map((seconds) => (
              <option key={seconds} value={String(seconds)}>
                {seconds} seconds{seconds === DEFAULT_TIME_BUDGET_S ? " (usual)" : ""}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button-wide" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value && <span class="spinner" aria-hidden="true" />}
          {busy.value ? "Planning…" : "Plan the day"}
        </button>
      </form>
      <p class="plan-day-status" role="status">
        {announcement.value}
      </p>
      {error.value && (
        <p id="plan-day-error" class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <LiveIndicator status={liveStatus.value} />
      <DayPlans date={date} />
    </section>
  );
}

/** The solver's search times offered: longer finds shorter routes on big days, rarely on small ones. */
const TIME_BUDGETS_S = [2, 5, 15, 30, 60] as const;

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting to live updates…",
  live: "Live: changes by others appear here",
  reconnecting: "Live updates lost, reconnecting…",
  stopped: "Live updates are off. Reload the page to turn them on.",
};

function LiveIndicator(props: { status: LiveStatus }) {
  return (
    <p class={`live live-${props.status}`} data-testid="live-status">
      <span class="live-dot" aria-hidden="true" />
      {LIVE_TEXT[props.status]}
    </p>
  );
}

function DayPlans(props: { date: string }) {
  const error = useSignal<string | null>(null);
  const plans = dayPlans.value;
  const openId = openPlan.value?.id ?? null;

  async function open(planId: string) {
    error.value = null;
    try {
      await openPlanById(planId);
    } catch (failure) {
      error.value = dispatchErrorMessage(failure);
    }
  }

  return (
    <div class="day-plans">
      <h3 class="day-plans-heading">Plans for {props.date ? formatLongDate(props.date) : "the day"}</h3>
      {plans.status === "loading" && <p class="muted">Loading…</p>}
      {plans.status === "failed" && (
        <p class="form-error" role="alert">
          {plans.message}
        </p>
      )}
      {plans.status === "ready" && plans.value.length === 0 && <p class="muted">No plan for this day yet.</p>}
      {plans.status === "ready" && plans.value.length > 0 && (
        <ul class="plan-list">
          {plans.value.map((plan) => {
            const assigned = plan.summary.assigned ?? 0;
            const routes = plan.summary.routes ?? 0;
            return (
              <li key={plan.id}>
                <button
                  type="button"
                  class="plan-item"
                  aria-current={plan.id === openId ? "true" : undefined}
                  onClick={() => void open(plan.id)}
                >
                  <span class="plan-item-head">
                    <span class="plan-item-name">
                      <span class="visually-hidden">Open </span>Revision {plan.revision}
                    </span>
                    <span class={`chip chip-plan-${plan.status}`}>{planStatusText(plan.status)}</span>
                  </span>
                  <span class="plan-item-meta">
                    {count(routes, "route")} · {count(assigned, "order")} · made {formatClock(plan.created_at, timeZone.value)}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </div>
  );
}
