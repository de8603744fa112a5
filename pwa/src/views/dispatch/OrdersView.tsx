// "Orders", the dispatch console's second view (/dispatch/orders): every order of the organization, filtered
// by status and kind, searched by name, address or reference, a page of 50 at a time; a row opens the order
// with its history; "Import orders" above it (beside it on a wide screen). The view lives in the address bar's query, so a reload or a
// shared link shows the same; the logic is in orders-table.ts.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, TargetedEvent, TargetedSubmitEvent } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import {
  cancellableClient,
  findOrders,
  getOrder,
  getOrderEvents,
  type Order,
  type OrderEvent,
  type OrderSummary,
  type Page,
} from "../../api/orders";
import { fleet, serviceDate, timeZone } from "../../state/dispatch";
import { loadWaitingOrders } from "./dispatch-actions";
import { formatWindow } from "./format";
import { ImportOrders } from "./ImportOrders";
import { dispatchErrorMessage } from "./messages";
import "./orders.css";
import {
  actorText,
  createdText,
  debounce,
  eventText,
  filtersFromQuery,
  isFiltered,
  latestOnly,
  MAX_SEARCH,
  NO_FILTERS,
  ORDER_KINDS,
  ORDER_STATUSES,
  orderQuery,
  pageCount,
  pageToShow,
  pagingText,
  queryFromFilters,
  SEARCH_DELAY_MS,
  withFilter,
  type OrderFilters,
} from "./orders-table";
import { orderKindText, orderStatusText } from "./wording";
import { OrdersTable } from "./OrdersTable";

export const ORDERS_PATH = "/dispatch/orders";

/** The query the Orders view last had, so the tab brings the dispatcher back to the same view. */
let lastQuery = "";

/** Where the "Orders" tab leads: the view as it was left. */
export function ordersViewPath(): string {
  return `${ORDERS_PATH}${lastQuery}`;
}

type ListState =
  | { status: "loading" }
  | { status: "ready"; page: Page<OrderSummary>; refreshing: boolean }
  | { status: "failed"; message: string };

export function OrdersView() {
  const filters = useSignal<OrderFilters>(filtersFromQuery(location.search));
  const draft = useSignal(filters.value.q);
  const list = useSignal<ListState>({ status: "loading" });
  const reloads = useSignal(0);
  const card = useRef<HTMLElement>(null);
  const guard = useMemo(latestOnly, []);
  const typed = useMemo(
    () => debounce((q: string) => (filters.value = withFilter(filters.value, { q: q.trim() })), SEARCH_DELAY_MS),
    [],
  );
  const current = filters.value;
  const query = orderQuery(current);
  const requestKey = JSON.stringify(query);

  useEffect(() => {
    const before = document.title;
    document.title = "Orders · Dispatch · Doorstep";
    return () => {
      document.title = before;
      guard.stop();
      typed.cancel();
    };
  }, []);

  // The address bar follows the view (replaced, not pushed: the back button leaves the console's tab).
  useEffect(() => {
    const search = queryFromFilters(current);
    lastQuery = queryFromFilters({ ...current, order: null }); // back on the tab, the list without the dialog
    if (location.pathname === ORDERS_PATH && location.search !== search) {
      history.replaceState(history.state, "", `${ORDERS_PATH}${search}`);
    }
  }, [current]);

  useEffect(() => {
    const ticket = guard.start();
    const before = list.value;
    list.value = before.status === "ready" ? { ...before, refreshing: true } : { status: "loading" };
    findOrders(query, cancellableClient(ticket.signal)).then(
      (page) => {
        if (!ticket.isCurrent()) return;
        const last = page.items.length === 0 ? pageToShow(filters.value.page, page.total) : null;
        if (last !== null) {
          filters.value = { ...filters.value, page: last }; // the list shrank under this page: show its end
          return;
        }
        list.value = { status: "ready", page, refreshing: false };
      },
      (error: unknown) => {
        if (!ticket.isCurrent()) return; // cancelled by a newer request, or an answer nobody waits for
        list.value = { status: "failed", message: dispatchErrorMessage(error) };
      },
    );
  }, [requestKey, reloads.value]);

  function setFilters(next: OrderFilters) {
    filters.value = next;
  }

  function onSearchInput(event: TargetedEvent<HTMLInputElement>) {
    draft.value = event.currentTarget.value;
    typed.call(draft.value);
  }

  function onSearchSubmit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    typed.flush(); // Enter searches at once
  }

  function clearFilters() {
    typed.cancel();
    draft.value = "";
    setFilters({ ...NO_FILTERS });
  }

  function goToPage(page: number) {
    setFilters({ ...current, page });
    const top = card.current?.getBoundingClientRect().top ?? 0;
    if (top < 0) card.current?.scrollIntoView({ block: "start" });
  }

  /** Back to the table, the keyboard on the order's row (not on wherever the dialog was opened from). */
  function closeDetails(orderId: string | null) {
    setFilters({ ...filters.value, order: null });
    const button = document.querySelector<HTMLButtonElement>(`tr[data-order-id="${orderId}"] .link-button`);
    button?.focus({ preventScroll: true });
  }

  function refreshAfterImport() {
    reloads.value += 1;
    void loadWaitingOrders(); // the Day view's counts of orders waiting for a plan
  }

  const state = list.value;
  const page = state.status === "ready" ? state.page : null;
  const shownText = page ? pagingText(page.offset, page.items.length, page.total) : "";
  const pages = page ? pageCount(page.total, page.limit) : 1;

  return (
    <div class="orders-console">
      <ImportOrders onImported={refreshAfterImport} />

      <section class="card orders-card" aria-labelledby="orders-list-heading" ref={card}>
        <div class="orders-card-head">
          <h2 id="orders-list-heading">All orders</h2>
          <p class="orders-count" role="status" data-testid="orders-paging">
            {state.status === "loading" || (state.status === "ready" && state.refreshing) ? "Loading…" : shownText}
          </p>
        </div>
        <form class="orders-filters" role="search" aria-label="Orders" onSubmit={onSearchSubmit}>
          <div class="field orders-search">
            <label for="orders-q">Search</label>
            <input
              id="orders-q"
              type="search"
              name="q"
              value={draft.value}
              maxLength={MAX_SEARCH}
              placeholder="Name, address or reference"
              autoComplete="off"
              enterKeyHint="search"
              onInput={onSearchInput}
            />
          </div>
          <div class="field">
            <label for="orders-status">Status</label>
            <select
              id="orders-status"
              value={current.status ?? ""}
              onChange={(event) => setFilters(withFilter(current, { status: event.currentTarget.value || null }))}
            >
              <option value="">All statuses</option>
              {ORDER_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {orderStatusText(status)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="orders-kind">Kind</label>
            <select
              id="orders-kind"
              value={current.kind ?? ""}
              onChange={(event) => setFilters(withFilter(current, { kind: event.currentTarget.value || null }))}
            >
              <option value="">All kinds</option>
              {ORDER_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {orderKindText(kind)}
                </option>
              ))}
            </select>
          </div>
        </form>

        {state.status === "loading" && <p class="muted orders-placeholder">Loading the orders…</p>}
        {state.status === "failed" && (
          <div class="orders-placeholder">
            <p class="form-error" role="alert">
              The orders could not be loaded. {state.message}
            </p>
            <button type="button" class="button button-secondary" onClick={() => (reloads.value += 1)}>
              Try again
            </button>
          </div>
        )}
        {page && page.items.length === 0 && (
          <div class="orders-placeholder" data-testid="orders-empty">
            {isFiltered(current) ? (
              <>
                <p>No order matches these filters.</p>
                <button type="button" class="button button-secondary" onClick={clearFilters}>
                  Clear the filters
                </button>
              </>
            ) : (
              <p>No orders yet. Import a CSV file, or add an order on the Day view.</p>
            )}
          </div>
        )}
        {page && page.items.length > 0 && (
          <div
            class="orders-scroll"
            role="region"
            aria-label="Orders table"
            tabIndex={0}
            aria-busy={state.status === "ready" && state.refreshing ? "true" : undefined}
          >
            <OrdersTable
              orders={page.items}
              serviceDate={serviceDate.value}
              timeZone={timeZone.value}
              openId={current.order}
              onOpen={(order) => setFilters({ ...current, order })}
              caption={`Orders, ${shownText}`}
            />
          </div>
        )}
        {page && page.total > page.limit && (
          <nav class="orders-paging" aria-label="Pages of orders">
            <button
              type="button"
              class="button button-secondary"
              disabled={current.page <= 1}
              onClick={() => goToPage(current.page - 1)}
            >
              Previous<span class="visually-hidden"> page</span>
            </button>
            <span class="orders-paging-text">
              Page {Math.min(current.page, pages)} of {pages}
            </span>
            <button
              type="button"
              class="button button-secondary"
              disabled={current.page >= pages}
              onClick={() => goToPage(current.page + 1)}
            >
              Next<span class="visually-hidden"> page</span>
            </button>
          </nav>
        )}
      </section>

      {current.order && (
        <OrderDetails
          key={current.order}
          orderId={current.order}
          onClose={() => closeDetails(current.order)}
        />
      )}
    </div>
  );
}

type DetailsState =
  | { status: "loading" }
  | { status: "ready"; order: Order; events: OrderEvent[] }
  | { status: "failed"; message: string };

/** The order and its history in a dialog: a panel at the right on a desktop, the whole screen on a phone. */
function OrderDetails(props: { orderId: string; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const state = useSignal<DetailsState>({ status: "loading" });
  const attempt = useSignal(0);
  const zone = timeZone.value;
  const fleetState = fleet.value;
  const people = fleetState.status === "ready" ? fleetState.value.personById : null;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  useEffect(() => {
    let wanted = true;
    state.value = { status: "loading" };
    Promise.all([getOrder(props.orderId), getOrderEvents(props.orderId)]).then(
      ([order, events]) => {
        if (wanted) state.value = { status: "ready", order, events };
      },
      (error: unknown) => {
        if (wanted) state.value = { status: "failed", message: dispatchErrorMessage(error) };
      },
    );
    return () => {
      wanted = false;
    };
  }, [props.orderId, attempt.value]);

  const shown = state.value;
  const order = shown.status === "ready" ? shown.order : null;
  return (
    <dialog
      ref={dialog}
      class="order-details"
      aria-labelledby="order-details-heading"
      data-testid="order-details"
      onClose={props.onClose}
    >
      <div class="order-details-head">
        <h2 id="order-details-heading">{order ? order.recipient_name : "Order"}</h2>
        <button type="button" class="button button-secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      {shown.status === "loading" && <p class="muted">Loading the order…</p>}
      {shown.status === "failed" && (
        <>
          <p class="form-error" role="alert">
            {shown.message}
          </p>
          <button type="button" class="button button-secondary" onClick={() => (attempt.value += 1)}>
            Try again
          </button>
        </>
      )}
      {shown.status === "ready" && order && (
        <>
          <p class="order-details-chips">
            <span class={`chip chip-large chip-order-${order.status}`}>{orderStatusText(order.status)}</span>
            <span class="chip chip-large">{orderKindText(order.kind)}</span>
          </p>
          <dl class="order-facts">
            <Fact term="Reference">{order.external_ref ?? "None"}</Fact>
            <Fact term="Address">{order.address}</Fact>
            <Fact term="Window">{formatWindow(order.window_start_at, order.window_end_at, serviceDate.value, zone)}</Fact>
            <Fact term="Phone">
              {order.recipient_phone ? <a href={`tel:${order.recipient_phone}`}>{order.recipient_phone}</a> : "None"}
            </Fact>
            <Fact term="Email">{order.recipient_email ?? "None"}</Fact>
            <Fact term="Parcels">
              {order.parcel_count}
              {order.parcels.length > 0 && ` (${order.parcels.map((p) => p.barcode).join(", ")})`}
            </Fact>
            <Fact term="Weight and volume">
              {order.weight_kg} kg · {order.volume_l} l
            </Fact>
            <Fact term="Priority">{order.priority}</Fact>
            {order.required_skills.length > 0 && <Fact term="Skills">{order.required_skills.join(", ")}</Fact>}
            {order.id_check_required && <Fact term="ID check">Photo ID at hand-over</Fact>}
            {order.notes && <Fact term="Notes">{order.notes}</Fact>}
            <Fact term="Created">{createdText(order.created_at, zone)}</Fact>
            <Fact term="Last changed">{createdText(order.updated_at, zone)}</Fact>
          </dl>
          <p>
            <a href={order.tracking_url} target="_blank" rel="noopener noreferrer">
              The customer's tracking page<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
          <h3 class="order-history-heading">History</h3>
          {shown.events.length === 0 ? (
            <p class="muted">Nothing recorded yet.</p>
          ) : (
            <ol class="order-history" data-testid="order-history">
              {shown.events.map((event) => {
                const reason = event.payload["reason"];
                return (
                  <li key={event.id}>
                    <time dateTime={event.occurred_at}>{createdText(event.occurred_at, zone)}</time>
                    <span class="order-history-what">{eventText(event)}</span>
                    <span class="order-history-who">
                      {actorText(event.actor, (id) => people?.get(id)?.name)}
                      {typeof reason === "string" && reason && ` · “${reason}”`}
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </dialog>
  );
}

function Fact(props: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}
