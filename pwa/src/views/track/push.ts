// Web Push on the tracking page: whether this browser can take notices, whether it gets this order's, and
// turning them on (permission on the customer's click, the push-only worker at /track-push-worker.js
// registered with scope /track/<token>, a PushSubscription with the server's VAPID key, posted to the
// server) and off (the server forgets the endpoint, the browser drops the subscription and the worker).
// The pure parts come first and are tested; the rest talks to the browser.
import { ApiError } from "../../api/client";
import { getPushStatus, subscribePush, unsubscribePush } from "../../api/tracking";
import { browserSupport, supportsPush } from "./push-support";
import type { Device, PushPhase } from "./push-wording";

export const PUSH_WORKER_URL = "/track-push-worker.js";
/** How long a newly registered worker may take to install and activate before subscribing gives up. */
const ACTIVATE_TIMEOUT_MS = 15_000;

/** The server's VAPID key (base64url, padded or not) as the bytes PushManager.subscribe() takes. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const trimmed = value.trim().replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(trimmed) || trimmed.length % 4 === 1) {
    throw new Error("not a base64url string");
  }
  const base64 = trimmed.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (trimmed.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The state shown once checked: on only while the browser allows notices and the server has this endpoint. */
export function pushPhase(state: {
  supported: boolean;
  permission: NotificationPermission;
  subscribedHere: boolean;
}): PushPhase {
  if (!state.supported) return "unsupported";
  if (state.permission === "denied") return "blocked";
  return state.permission === "granted" && state.subscribedHere ? "on" : "off";
}

/** The card is for orders that may still send notices; once closed it stays only to turn them off. */
export function showsPushCard(phase: PushPhase, closed: boolean): boolean {
  if (phase === "unsupported" || phase === "checking") return false;
  return !closed || phase === "on" || phase === "turning-off";
}

export function deviceOf(coarsePointer: boolean): Device {
  return coarsePointer ? "phone" : "browser";
}

/** The scope of a tracking link's push worker: its page's path, so each order has its own registration. */
export function pushScope(token: string, origin: string): string {
  return new URL(`/track/${encodeURIComponent(token)}`, origin).href;
}

// -- the browser

/** This link's own registration; not the app's worker (scope /), which getRegistration would also match. */
async function ownRegistration(token: string): Promise<ServiceWorkerRegistration | null> {
  const scope = pushScope(token, location.origin);
  const registration = await navigator.serviceWorker.getRegistration(scope);
  return registration && registration.scope === scope ? registration : null;
}

/** On or off, as this browser and the server see it now. No network unless this browser has a subscription. */
export async function checkPush(token: string): Promise<PushPhase> {
  const supported = supportsPush(browserSupport());
  if (!supported) return "unsupported";
  const permission = Notification.permission;
  const registration = await ownRegistration(token);
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  let subscribedHere = false;
  if (subscription && permission === "granted") {
    subscribedHere = (await getPushStatus(token, subscription.endpoint)).subscribed;
  }
  return pushPhase({ supported, permission, subscribedHere });
}

/** Resolves once the registration has an active worker (PushManager.subscribe needs one). */
function activated(registration: ServiceWorkerRegistration): Promise<void> {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return Promise.reject(new Error("the push worker did not install"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the push worker did not activate in time")), ACTIVATE_TIMEOUT_MS);
    const settle = () => {
      if (worker.state === "activated" || registration.active) {
        clearTimeout(timer);
        resolve();
      } else if (worker.state === "redundant") {
        clearTimeout(timer);
        reject(new Error("the push worker failed to install"));
      }
    };
    worker.addEventListener("statechange", settle);
    settle();
  });
}

/**
 * The customer's click: the browser's question first (it needs the click's user activation), then the
 * worker, a fresh subscription with the server's key and the server told. Returns the phase to show:
 * "on", "blocked" when they said no, "off" when they closed the question (`dismissed`).
 */
export async function turnPushOn(token: string): Promise<{ phase: PushPhase; dismissed: boolean }> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    return { phase: permission === "denied" ? "blocked" : "off", dismissed: permission === "default" };
  }
  const [registration, status] = await Promise.all([
    navigator.serviceWorker.register(PUSH_WORKER_URL, { scope: pushScope(token, location.origin) }),
    getPushStatus(token),
  ]);
  await activated(registration);
  // A subscription left from before may carry another key (the server's was replaced): start afresh.
  const old = await registration.pushManager.getSubscription();
  if (old) await old.unsubscribe();
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64UrlToBytes(status.public_key),
  });
  try {
    await subscribePush(token, subscription.toJSON());
  } catch (error) {
    await subscription.unsubscribe().catch(() => false); // no subscription the server does not know of
    throw error;
  }
  return { phase: "on", dismissed: false };
}

/** Off: the server forgets this browser first (so nothing more is sent), then the browser lets go. */
export async function turnPushOff(token: string): Promise<PushPhase> {
  const registration = await ownRegistration(token);
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  if (subscription) {
    try {
      await unsubscribePush(token, subscription.endpoint);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error; // 404: the server had let it go
    }
    await subscription.unsubscribe();
  }
  await registration?.unregister();
  return Notification.permission === "denied" ? "blocked" : "off";
}
