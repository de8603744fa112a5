// The service-worker update flow: a new worker waits until the user says "reload"; the page never
// reloads on its own, because a driver may be in the middle of a delivery.
import { Workbox } from "workbox-window";
import { updateReady } from "../state/update";

/** What the bridge needs from workbox-window's Workbox (a fake in the tests). */
export interface ServiceWorkerHandle {
  /** A new worker is installed and waiting for the old one to let go. */
  onWaiting(listener: () => void): void;
  /** A worker took control of this page; isUpdate is false for the very first install. */
  onControlling(listener: (isUpdate: boolean) => void): void;
  /** Asks the waiting worker to activate now. */
  skipWaiting(): void;
}

export interface UpdateBridge {
  /** The user's OK: activate the waiting worker, then reload once it controls the page. */
  acceptUpdate(): void;
}

export function bridgeServiceWorker(
  worker: ServiceWorkerHandle,
  callbacks: { onUpdateReady: () => void; reload: () => void },
): UpdateBridge {
  let waiting = false;
  let accepted = false;
  let reloading = false;
  const reloadOnce = () => {
    if (reloading) return;
    reloading = true;
    callbacks.reload();
  };

  worker.onWaiting(() => {
    waiting = true;
    callbacks.onUpdateReady();
  });
  worker.onControlling((isUpdate) => {
    if (accepted) reloadOnce();
    // Another tab accepted the update: this page now runs old code under the new worker, so offer
    // the reload here too, still without forcing it.
    else if (isUpdate) callbacks.onUpdateReady();
  });

  return {
    acceptUpdate() {
      if (accepted) return;
      accepted = true;
      if (waiting) worker.skipWaiting();
      else reloadOnce();
    },
  };
}

/** Browsers look for a new worker on navigation only; an app left open all day checks on return. */
const UPDATE_CHECK_MIN_INTERVAL_MS = 5 * 60 * 1000;

let bridge: UpdateBridge | null = null;

/** Registers /service-worker.js (production builds only) and wires its updates to the banner. */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const workbox = new Workbox("/service-worker.js", { scope: "/" });
  bridge = bridgeServiceWorker(
    {
      onWaiting: (listener) => workbox.addEventListener("waiting", () => listener()),
      onControlling: (listener) => workbox.addEventListener("controlling", (event) => listener(event.isUpdate === true)),
      skipWaiting: () => workbox.messageSkipWaiting(),
    },
    { onUpdateReady: () => (updateReady.value = true), reload: () => window.location.reload() },
  );
  workbox.register().catch((error: unknown) => {
    // The app still works online; only opening offline and updates are lost.
    console.error("The service worker could not be registered, so Doorstep will not open offline.", error);
  });

  let lastCheckAt = Date.now();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || Date.now() - lastCheckAt < UPDATE_CHECK_MIN_INTERVAL_MS) return;
    lastCheckAt = Date.now();
    void workbox.update();
  });
}

/** Called by the update banner's button. */
export function acceptUpdate(): void {
  bridge?.acceptUpdate();
}
