// The orders waiting for a plan (deliveries and store transfers, and returns to collect), with how
// many are planned already.
import { useMemo } from "preact/hooks";
import type { OrderSummary } from "../../api/planning";
import { serviceDate, timeZone, waitingOrders } from "../../state/dispatch";
import { loadWaitingOrders } from "./dispatch-actions";
import { formatWindow } from "./format";
import { orderKindText, orderStatusText } from "./wording";

/** Earliest window first (orders without one last), then by name: the order a dispatcher scans them in. */
export function byWindowThenName(a: OrderSummary, b: OrderSummary): number {
  const aStart = a.window_start_at ? Date.parse(a.window_start_at) : Number.POSITIVE_INFINITY;
  const bStart = b.window_start_at ? Date.parse(b.window_start_at) : Number.POSITIVE_INFINITY;
  if (aStart !== bStart) return aStart < bStart ? -1 : 1;
  return a.recipient_name.localeCompare(b.recipient_name);
}

export function OrdersPanel() {
  const state = waitingOrders.value;
  const date = serviceDate.value;
  const orders = useMemo(
    () => (state.status === "ready" ? [...state.value.created, ...state.value.requested].sort(byWindowThenName) : []),
    [state],
  );

  return (
    <section class="card orders-panel" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      {state.status === "loading" && <p class="muted">Loading the orders…</p>}
      {state.status === "failed" && (
        <>
          <p class="form-error" role="alert">
            {state.message}
          </p>
          <button type="button" class="button button-secondary button-wide" onClick={() => void loadWaitingOrders()}>
            Try again
          </button>
        </>
      )}
      {state.status === "ready" && (
        <>
          <dl class="order-counts">
            <div>
              <dt>Waiting for a plan</dt>
              <dd data-testid="count-waiting">{state.value.createdTotal}</dd>
            </div>
            <div>
              <dt>Returns to collect</dt>
              <dd data-testid="count-returns">{state.value.requestedTotal}</dd>
            </div>
            <div>
              <dt>Planned</dt>
              <dd data-testid="count-planned">{state.value.plannedTotal}</dd>
            </div>
          </dl>
          {orders.length === 0 ? (
            <p class="muted">No order is waiting for a plan.</p>
          ) : (
            // A scrolling region must be reachable by keyboard to be scrolled by it: tabIndex and a name.
            <div class="order-scroll" role="region" aria-label="Orders waiting for a plan" tabIndex={0}>
              <ul class="order-list">
                {orders.map((order) => (
                  <OrderItem key={order.id} order={order} serviceDate={date} />
                ))}
              </ul>
            </div>
          )}
          {(state.value.created.length < state.value.createdTotal ||
            state.value.requested.length < state.value.requestedTotal) && (
            <p class="muted">
              Showing the first {orders.length} of {state.value.createdTotal + state.value.requestedTotal}; the plan
              includes them all.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function OrderItem(props: { order: OrderSummary; serviceDate: string }) {
  const { order } = props;
  return (
    <li class="order">
      <div class="order-head">
        <span class="order-name">{order.recipient_name}</span>
        <span class="order-chips">
          {order.kind !== "delivery" && <span class="chip chip-kind">{orderKindText(order.kind)}</span>}
          <span class={`chip chip-order-${order.status}`}>{orderStatusText(order.status)}</span>
        </span>
      </div>
      <p class="order-address">{order.address}</p>
      <p class="order-meta">
        <span class={order.window_start_at ? "order-window" : undefined}>
          {formatWindow(order.window_start_at, order.window_end_at, props.serviceDate, timeZone.value)}
        </span>
        {order.external_ref && <span class="order-ref">{order.external_ref}</span>}
        {order.priority > 0 && <span class="order-priority">Priority {order.priority}</span>}
      </p>
    </li>
  );
}
