// The tracking page's own service worker, push only: registered by the page (views/track/push.ts) with the
// scope /track/<token> when the customer turns notices on, built on its own as a classic script
// (vite.config.ts, trackPushWorker) and served at /track-push-worker.js. No fetch handler and no precache:
// a customer never downloads the driver app (main.tsx keeps /service-worker.js off tracking pages), and the
// page keeps loading from the network as before. One registration per tracking link, so turning one
// order's notices off never touches another's, and the worker knows its page from its scope.
import { clickTarget, noticeFromPayload, samePage, tokenOfScope } from "./track-push";

declare let self: ServiceWorkerGlobalScope;

// Nothing is cached and no page is controlled in a way that matters, so a new version may take over at once.
self.addEventListener("install", () => void self.skipWaiting());

self.addEventListener("push", (event: PushEvent) => {
  const notice = noticeFromPayload(event.data ? event.data.text() : null, self.registration.scope);
  event.waitUntil(self.registration.showNotification(notice.title, notice.options));
});

/** Brings the tab already showing the page forward, else opens it. */
async function showPage(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => samePage(client.url, url));
  if (open) {
    try {
      await open.focus();
      return;
    } catch {
      // not allowed to focus (no user activation reached it): open a new tab instead
    }
  }
  await self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  event.notification.close();
  event.waitUntil(showPage(clickTarget(event.notification.data, self.registration.scope)));
});

/** The browser replaced the subscription (Firefox does; lib.webworker does not describe the event). */
interface PushSubscriptionChangeEvent extends ExtendableEvent {
  readonly oldSubscription: PushSubscription | null;
  readonly newSubscription: PushSubscription | null;
}

/** Tells the server the new endpoint and forgets the old one, so notices keep coming without a visit. */
async function resubscribe(change: PushSubscriptionChangeEvent): Promise<void> {
  const token = tokenOfScope(self.registration.scope);
  if (!token) return;
  const key = change.oldSubscription?.options.applicationServerKey ?? null;
  const fresh =
    change.newSubscription ??
    (key ? await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }) : null);
  const base = `/api/track/${encodeURIComponent(token)}/push-subscriptions`;
  if (fresh) {
    const response = await fetch(base, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(fresh.toJSON()),
    });
    if (!response.ok) throw new Error(`POST ${base}: ${response.status}`);
  }
  const old = change.oldSubscription?.endpoint;
  if (old && old !== fresh?.endpoint) {
    await fetch(`${base}?endpoint=${encodeURIComponent(old)}`, { method: "DELETE" });
  }
}

self.addEventListener("pushsubscriptionchange", (event: Event) => {
  const change = event as PushSubscriptionChangeEvent;
  change.waitUntil(resubscribe(change));
});
