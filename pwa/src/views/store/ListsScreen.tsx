// The day's lists: pickups waiting on the shelves (oldest first, with the shelf and how long), and those past
// their hold (to send back to the depot). Reloaded when a pickup event comes in; "Hand over" opens the
// counter with that customer, for one who lost their code.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { fetchPickups, type Pickup, type Store } from "../../api/store";
import { navigate } from "../../components/Link";
import { counterRequest, pickupsVersion, type Loadable } from "../../state/store";
import { requestErrorMessage } from "../shell/messages";
import { endSessionIf401 } from "./store-actions";
import { countText, overdueText, parcelsText, waitingText } from "./wording";

interface Lists {
  waiting: Pickup[];
  overdue: Pickup[];
}

export function ListsScreen(props: { store: Store }) {
  const { store } = props;
  const lists = useSignal<Loadable<Lists>>({ status: "loading" });
  const version = pickupsVersion.value;

  async function load() {
    try {
      const [waiting, overdue] = await Promise.all([
        fetchPickups(store.id, "waiting"),
        fetchPickups(store.id, "overdue"),
      ]);
      // the overdue ones are in both answers: they are listed once, as overdue
      const late = new Set(overdue.map((p) => p.order_id));
      lists.value = { status: "ready", value: { waiting: waiting.filter((p) => !late.has(p.order_id)), overdue } };
    } catch (error) {
      endSessionIf401(error);
      if (lists.value.status !== "ready") lists.value = { status: "failed", message: requestErrorMessage(error) };
    }
  }
  useEffect(() => {
    void load();
  }, [version]);

  const now = new Date();
  const state = lists.value;
  if (state.status === "loading") {
    return (
      <section class="card" aria-busy="true" aria-labelledby="lists-loading">
        <h2 id="lists-loading">Loading the lists…</h2>
      </section>
    );
  }
  if (state.status === "failed") {
    return (
      <section class="card notice" aria-labelledby="lists-failed">
        <h2 id="lists-failed">The lists could not be loaded</h2>
        <p>{state.message}</p>
        <button type="button" class="button button-wide" onClick={() => void load()}>
          Try again
        </button>
      </section>
    );
  }
  const { waiting, overdue } = state.value;
  return (
    <div class="store-lists">
      <section class="store-section" aria-labelledby="waiting-title" data-testid="list-waiting">
        <h2 id="waiting-title" class="store-section-title">
          Waiting for pickup <span class="store-count">{waiting.length}</span>
        </h2>
        {waiting.length === 0 ? (
          <p class="muted">No parcels are waiting on the shelves.</p>
        ) : (
          <ul class="pickup-rows">
            {waiting.map((pickup) => (
              <PickupRow key={pickup.order_id} pickup={pickup} note={`waiting ${waitingText(pickup.ready_at, now)}`}>
                <button
                  type="button"
                  class="button button-secondary pickup-row-button"
                  onClick={() => {
                    counterRequest.value = pickup.code;
                    navigate("/store");
                  }}
                  aria-label={`Hand over to ${pickup.recipient_name}`}
                >
                  Hand over
                </button>
              </PickupRow>
            ))}
          </ul>
        )}
      </section>
      <section class="store-section" aria-labelledby="overdue-title" data-testid="list-overdue">
        <h2 id="overdue-title" class="store-section-title">
          Overdue <span class="store-count">{overdue.length}</span>
        </h2>
        {overdue.length === 0 ? (
          <p class="muted">Nothing is past its pickup time.</p>
        ) : (
          <>
            <p class="muted">
              {countText(overdue.length, "pickup")} past the hold time: they go back to the depot with the next
              route.
            </p>
            <ul class="pickup-rows">
              {overdue.map((pickup) => (
                <PickupRow key={pickup.order_id} pickup={pickup} note={overdueText(pickup.expires_at, now)} late />
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

function PickupRow(props: { pickup: Pickup; note: string; late?: boolean; children?: ComponentChildren }) {
  const { pickup } = props;
  return (
    <li
      class={props.late ? "pickup-row pickup-row-late" : "pickup-row"}
      data-testid="pickup-row"
      data-order-id={pickup.order_id}
    >
      <p class="pickup-row-shelf">
        <span class="visually-hidden">Shelf </span>
        {pickup.shelf ?? "—"}
      </p>
      <div class="pickup-row-main">
        <p class="pickup-row-name">
          {pickup.recipient_name}
          {pickup.customer_arrived_at && pickup.status === "ready_for_pickup" && (
            <span class="pickup-row-here"> · here now</span>
          )}
        </p>
        <p class="pickup-row-meta">
          {parcelsText(pickup)} · {props.note}
        </p>
      </div>
      {props.children}
    </li>
  );
}
