// Whether this browser can take Web Push notices at all. Apart from the rest of push.ts so the tracking page
// can decide to load the notifications card (PushSlot.tsx) without loading it.

/** What the browser offers: all of it is needed, and a secure page (https, or localhost). */
export interface PushSupport {
  serviceWorker: boolean;
  pushManager: boolean;
  notification: boolean;
  secureContext: boolean;
}

export function supportsPush(support: PushSupport): boolean {
  return support.serviceWorker && support.pushManager && support.notification && support.secureContext;
}

export function browserSupport(): PushSupport {
  return {
    serviceWorker: typeof navigator !== "undefined" && "serviceWorker" in navigator,
    pushManager: typeof window !== "undefined" && "PushManager" in window,
    notification: typeof window !== "undefined" && "Notification" in window,
    secureContext: typeof window !== "undefined" && window.isSecureContext,
  };
}
