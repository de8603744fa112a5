// Returns dropped off at the store: scan the code on the customer's return page (or type it) and the return
// is taken in (collected here); then receive it with a disposition, restock here, repair or dispose.
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { intakeReturn, receiveReturn, type Disposition, type Store } from "../../api/store";
import { buzz } from "../../components/scan/Scanner";
import { readCode, spacedCode, wrongScreenText } from "./codes";
import { RefusalCard } from "./RefusalCard";
import { DISPOSITIONS, returnsReducer, RETURNS_IDLE, type ReturnsAction, type ReturnsState } from "./returns";
import { endSessionIf401 } from "./store-actions";
import { StoreScanner } from "./StoreScanner";
import { dispositionDoneText, reasonText, refusalOf, returnItemsText } from "./wording";

/** The step survives a look at another tab; a new store or a new sign-in starts afresh. */
const returns = signal<ReturnsState>(RETURNS_IDLE);
let returnsStoreId: string | null = null;

export function forgetReturns(): void {
  returnsStoreId = null;
  returns.value = RETURNS_IDLE;
}

function dispatch(action: ReturnsAction): void {
  returns.value = returnsReducer(returns.value, action);
}

async function takeIn(store: Store, code: string): Promise<void> {
  dispatch({ type: "look", code });
  if (returns.value.step !== "looking" || returns.value.code !== code) return;
  try {
    dispatch({ type: "taken", taken: await intakeReturn(store.id, code) });
    buzz("good");
  } catch (error) {
    endSessionIf401(error);
    dispatch({ type: "refused", refusal: refusalOf(error) });
    buzz("bad");
  }
}

async function receive(store: Store, returnOrderId: string, disposition: Disposition): Promise<void> {
  dispatch({ type: "receive", disposition });
  try {
    dispatch({ type: "received", received: await receiveReturn(returnOrderId, store.id, disposition) });
    buzz("good");
  } catch (error) {
    endSessionIf401(error);
    dispatch({ type: "receive-failed", refusal: refusalOf(error) });
    buzz("bad");
  }
}

export function ReturnsScreen(props: { store: Store }) {
  const { store } = props;
  if (returnsStoreId !== store.id) {
    returnsStoreId = store.id;
    returns.value = RETURNS_IDLE;
  }
  const heading = useRef<HTMLHeadingElement>(null);
  const state = returns.value;
  useEffect(() => {
    if (state.step === "taken" || state.step === "received") heading.current?.focus();
  }, [state.step]);

  function onScan(raw: string) {
    const read = readCode(raw);
    const wrong = wrongScreenText(read.kind, "returns");
    if (wrong) {
      dispatch({ type: "note", note: wrong });
      buzz("bad");
      return;
    }
    if (read.code) void takeIn(store, read.code);
  }

  if (state.step === "scan" || state.step === "looking") {
    return (
      <section class="store-section" aria-labelledby="returns-title">
        <h2 id="returns-title" class="store-section-title">
          Take in a return
        </h2>
        {state.step === "scan" && state.refusal && <RefusalCard refusal={state.refusal} testId="return-refusal" />}
        {state.step === "scan" && state.note && (
          <p class="store-note" role="alert" data-testid="return-note">
            {state.note}
          </p>
        )}
        <StoreScanner
          id="return-scan"
          label="Return code"
          startLabel="Scan the return's code"
          onScan={onScan}
          result={state.step === "looking" ? { tone: "info", text: `Looking up ${spacedCode(state.code)}…` } : null}
        />
        <p class="muted">The code is on the customer's return page, as a QR code and as six letters and digits.</p>
      </section>
    );
  }

  if (state.step === "received") {
    const done = state.received;
    return (
      <section class="store-done" role="status" aria-labelledby="return-done-title" data-testid="return-done">
        <p class="store-done-tick" aria-hidden="true">
          ✓
        </p>
        <h2 id="return-done-title" class="store-done-title" ref={heading} tabIndex={-1}>
          Return received
        </h2>
        <p class="store-done-text" data-testid="return-done-text">
          {done.disposition ? dispositionDoneText(done.disposition, store.name) : "Received."}
        </p>
        <button
          type="button"
          class="button button-wide store-big-button"
          onClick={() => dispatch({ type: "next" })}
          data-testid="return-next"
        >
          Take in another return
        </button>
      </section>
    );
  }

  const taken = state.taken;
  const busy = state.step === "receiving" ? state.disposition : null;
  return (
    <section class="store-stack" aria-labelledby="return-taken-title" data-testid="return-taken">
      <div class="return-card">
        <h2 id="return-taken-title" class="return-card-title" ref={heading} tabIndex={-1}>
          Return taken in
        </h2>
        <dl class="pickup-list">
          <div>
            <dt>Code</dt>
            <dd class="barcode">{spacedCode(taken.code)}</dd>
          </div>
          <div>
            <dt>Items</dt>
            <dd data-testid="return-items">{returnItemsText(taken.items)}</dd>
          </div>
          <div>
            <dt>Reason</dt>
            <dd>
              {reasonText(taken.reason)}
              {taken.comment ? `: ${taken.comment}` : ""}
            </dd>
          </div>
        </dl>
      </div>
      <div class="card return-receive" role="group" aria-labelledby="return-receive-title">
        <h3 id="return-receive-title" class="handover-title">
          Receive: what happens to it?
        </h3>
        {state.step === "taken" && state.error && <RefusalCard refusal={state.error} testId="return-receive-error" />}
        <ul class="return-choices">
          {DISPOSITIONS.map((choice) => (
            <li key={choice.disposition}>
              <button
                type="button"
                class={
                  choice.disposition === "restock"
                    ? "button button-wide return-choice"
                    : "button button-secondary button-wide return-choice"
                }
                aria-disabled={busy ? "true" : undefined}
                aria-describedby={`return-${choice.disposition}-hint`}
                onClick={() => {
                  if (!busy) void receive(store, taken.return_order_id, choice.disposition);
                }}
                data-testid={`return-${choice.disposition}`}
              >
                {busy === choice.disposition ? "Saving…" : choice.label}
              </button>
              <p id={`return-${choice.disposition}-hint`} class="muted return-choice-hint">
                {choice.hint}
              </p>
            </li>
          ))}
        </ul>
        <p class="muted">Not sure yet? It stays taken in; a depot can receive it later.</p>
        <button type="button" class="button button-secondary button-wide" onClick={() => dispatch({ type: "next" })}>
          Decide later: take in another return
        </button>
      </div>
    </section>
  );
}
