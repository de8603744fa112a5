// What the tracking page says when saving the instructions fails: the server's own sentence when it gave
// one (409: "The order is out_for_delivery; call the sender..."), plain words otherwise.
import { ApiError, NetworkError } from "../../api/client";

export function instructionsErrorMessage(error: unknown): string {
  if (error instanceof NetworkError) return "Can't reach the tracking service. Check your connection and try again.";
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  if (error.status === 429) {
    const wait = error.retryAfterS === undefined ? "a minute" : `${Math.max(1, error.retryAfterS)} s`;
    return `Too many requests from your connection. Try again in ${wait}.`;
  }
  if (error.status >= 500) return `The tracking service had a problem (${error.status}). Try again in a moment.`;
  return error.detail ?? error.title;
}

/** "Try again in 42 s" / "in a minute", for the page shown after a 429. */
export function retryText(retryAfterS: number | undefined): string {
  if (retryAfterS === undefined || retryAfterS >= 60) return "Please wait a minute, then try again.";
  const seconds = Math.max(1, retryAfterS);
  return `Please wait ${seconds} ${seconds === 1 ? "second" : "seconds"}, then try again.`;
}
