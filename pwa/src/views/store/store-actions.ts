// What the store screens do beyond one request: the live connection to /ws/store/{id} (customers here,
// lists out of date) with the arrived list reloaded on every (re)connect, and the session ending.
import { ApiError } from "../../api/client";
import { connectLive, socketUrl } from "../../api/live";
import { fetchPickups, type Store } from "../../api/store";
import { session } from "../../state/session";
import { arrivalAlert, arrivals, pickupsVersion, storeLive } from "../../state/store";
import { applyStoreEvent, arrivalsFromPickups, changesLists } from "./arrivals";

/** The socket closes with 4404 when the store is not (or no longer) one of the caller's: no use retrying. */
const NO_SUCH_STORE = 4404;
const SESSION_ENDED = "Your session has ended. Sign in again to go on at the counter.";

/** A signed-out answer anywhere on the store screens sends the person to the sign-in form. */
export function endSessionIf401(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    session.value = { status: "signed-out", notice: SESSION_ENDED };
  }
}

async function reloadArrivals(storeId: string): Promise<void> {
  try {
    const list = await fetchPickups(storeId, "arrived");
    arrivals.value = arrivalsFromPickups(list);
    const alert = arrivalAlert.value;
    if (alert && !arrivals.value.some((a) => a.orderId === alert.orderId)) arrivalAlert.value = null;
  } catch (error) {
    endSessionIf401(error);
    console.warn("The customers here could not be reloaded.", error);
  }
}

/** A short double buzz on a phone, where there is one: the clerk may be at the shelves. */
function buzz(): void {
  try {
    if (typeof navigator.vibrate === "function") navigator.vibrate([120, 80, 120]);
  } catch {
    // vibration is a nicety
  }
}

/** Follows one store live while its screen is open; returns the way to stop. */
export function followStore(store: Store): () => void {
  arrivals.value = [];
  arrivalAlert.value = null;
  const connection = connectLive({
    url: socketUrl(`/ws/store/${encodeURIComponent(store.id)}`),
    finalCloseCodes: [NO_SUCH_STORE],
    onEvent: (event) => {
      const change = applyStoreEvent(arrivals.value, event, new Date());
      arrivals.value = change.list;
      if (change.arrived) {
        arrivalAlert.value = change.arrived;
        buzz();
      } else if (arrivalAlert.value && !change.list.some((a) => a.orderId === arrivalAlert.value?.orderId)) {
        arrivalAlert.value = null; // handed over already
      }
      if (changesLists(event.type)) pickupsVersion.value += 1;
    },
    // the store's frames carry no seq to resume from: whatever happened while away is read again
    onResync: () => {
      pickupsVersion.value += 1;
    },
    onStatus: (status, detail) => {
      storeLive.value = status;
      if (status === "live") void reloadArrivals(store.id);
      if (status === "stopped" && detail.closeCode === 4401) {
        session.value = { status: "signed-out", notice: SESSION_ENDED };
      }
    },
  });
  return () => connection.close();
}
