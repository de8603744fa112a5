// "Customers here": who tapped "I'm here" on their tracking page, live, with the shelf to fetch from and
// where they wait (the counter, or the curb with a parking note). A new arrival also raises the alert at the
// top of whichever tab is open, so the parcel is on its way before the customer reaches the counter.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { arrivalAlert, arrivals, storeLive } from "../../state/store";
import { isFresh, type Arrival } from "./arrivals";
import { arrivedText, distanceText, whereText } from "./wording";

/** How often "just arrived" and the highlight are brought up to date. */
const TICK_MS = 15_000;

function useNow(): Date {
  const now = useSignal(new Date());
  useEffect(() => {
    const timer = setInterval(() => (now.value = new Date()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now.value;
}

function whereWithDistance(arrival: Arrival): string {
  const distance = distanceText(arrival.distanceM);
  return distance ? `${whereText(arrival.curbside, arrival.parkingNote)}, ${distance}` : whereText(arrival.curbside, arrival.parkingNote);
}

/** The banner for the newest arrival, above the tab: seen at once, dismissed with "Got it". */
export function ArrivalAlert() {
  const alert = arrivalAlert.value;
  if (!alert) return null;
  return (
    <div class="store-alert" role="alert" data-testid="arrival-alert">
      <div class="store-alert-text">
        <p class="store-alert-title">
          <span data-testid="arrival-alert-name">{alert.name}</span> is here
        </p>
        <p class="store-alert-where">{whereWithDistance(alert)}</p>
      </div>
      <p class="store-alert-shelf">
        <span class="store-alert-shelf-label">Shelf</span>
        <span class="store-alert-shelf-value" data-testid="arrival-alert-shelf">
          {alert.shelf ?? "—"}
        </span>
      </p>
      <button
        type="button"
        class="button store-alert-button"
        onClick={() => (arrivalAlert.value = null)}
        data-testid="arrival-alert-dismiss"
      >
        Got it
      </button>
    </div>
  );
}

export function ArrivalsPanel() {
  const now = useNow();
  const list = arrivals.value;
  const live = storeLive.value;
  return (
    <aside
      class={list.length > 0 ? "store-arrivals store-arrivals-some" : "store-arrivals"}
      aria-labelledby="arrivals-title"
      data-testid="arrivals"
      data-count={list.length}
    >
      <div class="store-arrivals-head">
        <h2 id="arrivals-title" class="store-arrivals-title">
          Customers here{list.length > 0 && <span class="store-arrivals-count"> ({list.length})</span>}
        </h2>
        {live !== "live" && (
          <p class="store-arrivals-live" data-testid="arrivals-offline">
            {live === "stopped" ? "Not updating" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
          </p>
        )}
      </div>
      {list.length === 0 ? (
        <p class="muted store-arrivals-empty">Nobody has said they are here. They show up here the moment they do.</p>
      ) : (
        <ul class="store-arrivals-list">
          {list.map((arrival) => (
            <li
              key={arrival.orderId}
              class={isFresh(arrival, now) ? "store-arrival store-arrival-fresh" : "store-arrival"}
              data-testid="arrival"
              data-order-id={arrival.orderId}
            >
              <p class="store-arrival-shelf">
                <span class="visually-hidden">Shelf </span>
                {arrival.shelf ?? "—"}
              </p>
              <div class="store-arrival-main">
                <p class="store-arrival-name" data-testid="arrival-name">
                  {arrival.name}
                </p>
                <p class={arrival.curbside ? "store-arrival-where store-arrival-curbside" : "store-arrival-where"}>
                  {whereWithDistance(arrival)}
                </p>
                <p class="store-arrival-time">{arrivedText(arrival.arrivedAt, now)}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
