// What the shell tells a person when a request fails: plain sentences, never a stack trace.
import { ApiError, NetworkError } from "../../api/client";

const OFFLINE = "Can't reach Doorstep. Check your connection and try again.";

export function signInErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return "Email or password is wrong.";
  return requestErrorMessage(error);
}

export function requestErrorMessage(error: unknown): string {
  if (error instanceof NetworkError) return OFFLINE;
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  if (error.status === 429) {
    return error.retryAfterS === undefined
      ? "Too many attempts, try again in a minute."
      : `Too many attempts, try again in ${Math.max(1, error.retryAfterS)} s.`;
  }
  if (error.status >= 500) return `Doorstep had a problem (${error.status}). Try again in a moment.`;
  // A client error the server explained: its own words are the most precise we have.
  return error.detail ? `${error.title}: ${error.detail}` : error.title;
}
