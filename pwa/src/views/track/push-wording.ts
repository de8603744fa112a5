// What the tracking page's notifications card says in each state (push.ts works the states out). Pure, so
// tested; "this phone" on a touch screen, "this browser" elsewhere.
import { ApiError, NetworkError } from "../../api/client";
import { instructionsErrorMessage } from "./messages";

/**
 * unsupported: no card (no service workers, Push API or notifications, e.g. Safari outside a home-screen app);
 * checking: no card yet; off / on; blocked: the browser refuses notifications for this site;
 * turning-on / turning-off: the customer's click is being carried out.
 */
export type PushPhase = "unsupported" | "checking" | "off" | "on" | "blocked" | "turning-on" | "turning-off";

export type Device = "phone" | "browser";

export interface PushWords {
  heading: string;
  text: string;
  /** The button's label; null: no button (blocked: only the browser's settings can change it). */
  button: string | null;
  /** How to get out of this state, when the page cannot do it. */
  hint: string | null;
}

function where(device: Device): string {
  return device === "phone" ? "on this phone" : "in this browser";
}

export function pushWords(phase: PushPhase, device: Device): PushWords {
  const here = where(device);
  switch (phase) {
    case "on":
    case "turning-off":
      return {
        heading: "Notifications are on",
        text: `You'll get a notice ${here} when your delivery moves on, even with this page closed.`,
        button: phase === "on" ? "Turn off notifications" : "Turning off…",
        hint: null,
      };
    case "blocked":
      return {
        heading: "Notifications are blocked",
        text: `Your browser doesn't allow notifications from this page ${here}.`,
        hint:
          "To get them, open the site settings in your browser (often the icon next to the address), " +
          "allow Notifications, then reload this page.",
        button: null,
      };
    default:
      return {
        heading: `Get notified ${here}`,
        text: "We'll send a notice when your delivery moves on, such as when your driver is close, even with this page closed.",
        button: phase === "turning-on" ? "Turning on…" : "Turn on notifications",
        hint: null,
      };
  }
}

/** Said when the customer closed the browser's question without answering it. */
export const DISMISSED_TEXT = "You closed the browser's question, so notifications stay off. Try again when you're ready.";

/** Why turning notifications on or off did not work, in plain words. */
export function pushErrorMessage(error: unknown, turning: "on" | "off"): string {
  if (error instanceof ApiError) {
    if (error.status === 409 && error.type.endsWith("too-many-push-subscriptions")) {
      const max = error.problem["max_subscriptions"];
      const count = typeof max === "number" ? `${max} devices` : "as many devices as it may";
      return `This delivery already sends notices to ${count}. Turn them off on one of those first.`;
    }
    if (error.status === 404 && turning === "on") return "This tracking link no longer works, so it can't send notices.";
    if (error.status === 410) return "This tracking link has expired, so it can't send notices any more.";
    return instructionsErrorMessage(error);
  }
  if (error instanceof NetworkError) return instructionsErrorMessage(error);
  return turning === "on"
    ? "Your browser couldn't turn notifications on. Try again in a moment."
    : "Your browser couldn't turn notifications off. Try again in a moment.";
}
