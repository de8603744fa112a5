// What the dispatch screen says when a request fails: the server's own sentence where it gave one.
import { ApiError } from "../../api/client";
import { requestErrorMessage } from "../shell/messages";

/**
 * The problem's detail for a client error ("No order is waiting for a plan"), which already says
 * what to do; offline, server faults and bare statuses get the shell's plain sentences.
 */
export function dispatchErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return "Your role can't do this. Ask an administrator.";
  if (error instanceof ApiError && error.status < 500 && error.status !== 429 && error.detail) {
    return /[.!?]$/.test(error.detail) ? error.detail : `${error.detail}.`;
  }
  return requestErrorMessage(error);
}
