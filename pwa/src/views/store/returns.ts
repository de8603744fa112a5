// A return dropped off at the counter, in two steps: take it in by its code (the return is collected here),
// then receive it with a disposition (restock here, repair, dispose). A reducer, tested.
import type { Disposition, Return } from "../../api/store";
import type { Refusal } from "./wording";

export type ReturnsState =
  | { step: "scan"; refusal: Refusal | null; note: string | null }
  | { step: "looking"; code: string }
  /** Taken in: what to do with it? `error` is a failed receipt, to try again. */
  | { step: "taken"; taken: Return; error: Refusal | null }
  | { step: "receiving"; taken: Return; disposition: Disposition }
  | { step: "received"; received: Return };

export type ReturnsAction =
  | { type: "look"; code: string }
  | { type: "taken"; taken: Return }
  | { type: "refused"; refusal: Refusal }
  | { type: "note"; note: string }
  | { type: "receive"; disposition: Disposition }
  | { type: "received"; received: Return }
  | { type: "receive-failed"; refusal: Refusal }
  | { type: "next" };

export const RETURNS_IDLE: ReturnsState = { step: "scan", refusal: null, note: null };

export function returnsReducer(state: ReturnsState, action: ReturnsAction): ReturnsState {
  switch (action.type) {
    case "look":
      return state.step === "scan" ? { step: "looking", code: action.code } : state;
    case "taken":
      return state.step === "looking" ? { step: "taken", taken: action.taken, error: null } : state;
    case "refused":
      return state.step === "looking" ? { step: "scan", refusal: action.refusal, note: null } : state;
    case "note":
      return state.step === "scan" ? { step: "scan", refusal: null, note: action.note } : state;
    case "receive":
      return state.step === "taken"
        ? { step: "receiving", taken: state.taken, disposition: action.disposition }
        : state;
    case "received":
      return state.step === "receiving" ? { step: "received", received: action.received } : state;
    case "receive-failed":
      return state.step === "receiving" ? { step: "taken", taken: state.taken, error: action.refusal } : state;
    case "next":
      return RETURNS_IDLE;
  }
}

export interface DispositionChoice {
  disposition: Disposition;
  label: string;
  hint: string;
}

/** The receive step's buttons, in the order a clerk meets them most. */
export const DISPOSITIONS: readonly DispositionChoice[] = [
  { disposition: "restock", label: "Restock here", hint: "Fine to sell again: back in this store's stock." },
  { disposition: "repair", label: "Repair", hint: "Faulty but fixable: kept aside for repair." },
  { disposition: "dispose", label: "Dispose", hint: "Broken or unsafe: not sold again." },
];
