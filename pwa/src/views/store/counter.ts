// The counter's steps, one customer at a time: scan their code → the pickup (or a plain refusal) → hand
// over (name, ID, signature) → done → scan the next. A reducer, so every path is tested without a screen.
import type { Pickup } from "../../api/store";
import type { Refusal } from "./wording";

/** Where the code came from: the customer showed it, or the clerk chose them from the waiting list (no code
 * shown: the screen asks for their ID). */
export type CodeSource = "customer" | "list";

export type CounterState =
  /** Waiting for a code; the last refusal or note stays until the next code. */
  | { step: "scan"; refusal: Refusal | null; note: string | null }
  | { step: "looking"; code: string; source: CodeSource }
  /** The customer's pickup on screen; `error` is a failed hand-over, to fix and try again. */
  | { step: "found"; pickup: Pickup; code: string; source: CodeSource; error: Refusal | null }
  | { step: "handing"; pickup: Pickup; code: string; source: CodeSource }
  | { step: "done"; pickup: Pickup; recipient: string };

export type CounterAction =
  | { type: "look"; code: string; source: CodeSource }
  | { type: "found"; pickup: Pickup; code: string }
  | { type: "refused"; refusal: Refusal }
  /** A code that is not for the counter (a return's): a note, no request. */
  | { type: "note"; note: string }
  | { type: "hand-over" }
  | { type: "handed"; pickup: Pickup; recipient: string }
  /** The hand-over failed: the used-code and gone-order refusals end the customer; the rest can be retried. */
  | { type: "failed"; refusal: Refusal; final: boolean }
  | { type: "next" };

export const IDLE: CounterState = { step: "scan", refusal: null, note: null };

export function counterReducer(state: CounterState, action: CounterAction): CounterState {
  switch (action.type) {
    case "look":
      // a second code while one is looked up or handed over is a camera reading on: ignored
      return state.step === "scan" ? { step: "looking", code: action.code, source: action.source } : state;
    case "found":
      return state.step === "looking"
        ? { step: "found", pickup: action.pickup, code: action.code, source: state.source, error: null }
        : state;
    case "refused":
      return state.step === "looking" ? { step: "scan", refusal: action.refusal, note: null } : state;
    case "note":
      return state.step === "scan" ? { step: "scan", refusal: null, note: action.note } : state;
    case "hand-over":
      return state.step === "found"
        ? { step: "handing", pickup: state.pickup, code: state.code, source: state.source }
        : state;
    case "handed":
      return state.step === "handing" ? { step: "done", pickup: action.pickup, recipient: action.recipient } : state;
    case "failed":
      if (state.step !== "handing") return state;
      return action.final
        ? { step: "scan", refusal: action.refusal, note: null }
        : { step: "found", pickup: state.pickup, code: state.code, source: state.source, error: action.refusal };
    case "next":
      return IDLE;
  }
}

/** Whether the scanner is on screen: while waiting for a code, and while one is looked up. */
export function scanning(state: CounterState): state is Extract<CounterState, { step: "scan" | "looking" }> {
  return state.step === "scan" || state.step === "looking";
}
