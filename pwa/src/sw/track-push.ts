// What the tracking page's push worker (track-push-worker.ts) shows and opens. Pure, so tested: the server's
// payload (backend/notifications/channels/push.py sends JSON {"title", "body", "url"}) as a notification,
// and which tab a tap on it brings forward.

/** When a payload has no usable title (the server always sends the sender's name). */
export const DEFAULT_TITLE = "Delivery update";
export const NOTICE_ICON = "/icons/icon-192.png";
const MAX_TITLE = 200;
const MAX_BODY = 1000;

export interface NoticeOptions {
  body: string;
  /** One notice per tracking page on screen: the next about the same order replaces it ... */
  tag: string;
  /** ... and still rings, since it is news. */
  renotify: boolean;
  icon: string;
  lang: string;
  data: { url: string };
}

export interface Notice {
  title: string;
  options: NoticeOptions;
}

function text(value: unknown, limit: number): string {
  return typeof value === "string" ? value.trim().slice(0, limit) : "";
}

/** An absolute http(s) URL, or null: a tap must never open a javascript: or data: address. */
export function webUrl(value: unknown, base: string): string | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The notification for one push. `pageUrl` is the worker's own tracking page (its scope, /track/<token>):
 * what a tap opens when the payload names no page. A payload that is not JSON is shown as the text it is.
 */
export function noticeFromPayload(payload: string | null, pageUrl: string): Notice {
  let data: Record<string, unknown> = {};
  if (payload) {
    try {
      const parsed: unknown = JSON.parse(payload);
      data = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      if (typeof parsed === "string") data = { body: parsed };
    } catch {
      data = { body: payload };
    }
  }
  const url = webUrl(data["url"], pageUrl) ?? pageUrl;
  return {
    title: text(data["title"], MAX_TITLE) || DEFAULT_TITLE,
    options: {
      body: text(data["body"], MAX_BODY),
      tag: text(data["tag"], MAX_TITLE) || `doorstep:${pageKey(url)}`,
      renotify: true,
      icon: NOTICE_ICON,
      lang: "en",
      data: { url },
    },
  };
}

/** Where a tap on a notification goes: the URL it carries, else the worker's tracking page. */
export function clickTarget(data: unknown, pageUrl: string): string {
  const url = data && typeof data === "object" ? (data as { url?: unknown }).url : undefined;
  return webUrl(url, pageUrl) ?? pageUrl;
}

/** A page's identity for "is this tab already showing it": origin and path, no query, fragment or final slash. */
export function pageKey(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.origin + parsed.pathname.replace(/\/+$/, "");
  } catch {
    return url;
  }
}

export function samePage(a: string, b: string): boolean {
  return pageKey(a) === pageKey(b);
}

/** The tracking link a worker registered with scope /track/<token> serves; null for any other scope. */
export function tokenOfScope(scope: string): string | null {
  try {
    const match = /^\/track\/([^/]+)\/?$/.exec(new URL(scope).pathname);
    return match?.[1] ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
}
