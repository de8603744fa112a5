// The counter, one customer at a time: scan their code (camera, or typed) → their pickup with the shelf in
// large type, or a plain refusal → the hand-over (who takes it, ID checked, signature) → done → the next.
// The steps are counter.ts's reducer; this file only asks the server and shows them.
import { signal, useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../../api/client";
import { handOver, lookupPickup, uploadSignature, type Pickup, type Store } from "../../api/store";
import { buzz } from "../../components/scan/Scanner";
import { SignatureField } from "../../components/signature/SignatureField";
import { readCode, spacedCode, wrongScreenText } from "./codes";
import { counterReducer, IDLE, scanning, type CodeSource, type CounterAction, type CounterState } from "./counter";
import { counterRequest } from "../../state/store";
import { endSessionIf401 } from "./store-actions";
import { RefusalCard } from "./RefusalCard";
import { StoreScanner } from "./StoreScanner";
import { arrivedText, distanceText, parcelsText, readySinceText, refusalOf, whereText, type Refusal } from "./wording";

/** The server takes a name of 1 to 200 characters. */
const MAX_NAME = 200;

/** The counter's step survives a look at the lists and back; a new store or a new sign-in starts afresh. */
const counter = signal<CounterState>(IDLE);
let counterStoreId: string | null = null;

export function forgetCounter(): void {
  counterStoreId = null;
  counter.value = IDLE;
}

function dispatch(action: CounterAction): void {
  counter.value = counterReducer(counter.value, action);
}

/** Refusals after which this customer's code cannot go on: unknown, used, not ready, gone. */
function isFinal(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 409);
}

async function look(store: Store, code: string, source: CodeSource = "customer"): Promise<void> {
  dispatch({ type: "look", code, source });
  if (counter.value.step !== "looking" || counter.value.code !== code) return;
  try {
    const pickup = await lookupPickup(store.id, code);
    dispatch({ type: "found", pickup, code });
    buzz("good");
  } catch (error) {
    endSessionIf401(error);
    dispatch({ type: "refused", refusal: refusalOf(error) });
    buzz("bad");
  }
}

export function CounterScreen(props: { store: Store }) {
  const { store } = props;
  if (counterStoreId !== store.id) {
    counterStoreId = store.id;
    counter.value = IDLE;
  }

  useEffect(() => {
    const requested = counterRequest.value;
    if (requested) {
      counterRequest.value = null;
      if (counter.value.step === "done") dispatch({ type: "next" });
      if (counter.value.step === "scan") void look(store, requested, "list");
    }
  }, []);

  function onScan(raw: string) {
    const read = readCode(raw);
    const wrong = wrongScreenText(read.kind, "counter");
    if (wrong) {
      dispatch({ type: "note", note: wrong });
      buzz("bad");
      return;
    }
    if (read.code) void look(store, read.code);
  }

  const state = counter.value;
  if (scanning(state)) {
    const refusal = state.step === "scan" ? state.refusal : null;
    const note = state.step === "scan" ? state.note : null;
    return (
      <section class="store-section" aria-labelledby="counter-title">
        <h2 id="counter-title" class="store-section-title">
          Next customer
        </h2>
        {refusal && <RefusalCard refusal={refusal} testId="counter-refusal" />}
        {note && (
          <p class="store-note" role="alert" data-testid="counter-note">
            {note}
          </p>
        )}
        <StoreScanner
          id="counter-scan"
          label="Pickup code"
          startLabel="Scan customer's code"
          onScan={onScan}
          result={state.step === "looking" ? { tone: "info", text: `Looking up ${spacedCode(state.code)}…` } : null}
        />
        <p class="muted">
          The customer's code is on their tracking page, as a QR code and as six letters and digits. No code? Find
          them by name under Lists.
        </p>
      </section>
    );
  }
  if (state.step === "done") return <HandedOver pickup={state.pickup} recipient={state.recipient} />;
  return (
    <HandoverForm
      key={state.pickup.order_id}
      store={store}
      pickup={state.pickup}
      code={state.code}
      source={state.source}
      busy={state.step === "handing"}
      error={state.step === "found" ? state.error : null}
    />
  );
}

/** The pickup on the counter: the shelf first and largest (someone is walking to it), then whose and what. */
export function PickupCard(props: { pickup: Pickup; now: Date }) {
  const { pickup, now } = props;
  return (
    <section class="pickup-card" aria-labelledby="pickup-name" data-testid="pickup-card">
      <p class="pickup-shelf">
        <span class="pickup-shelf-label">Shelf</span>
        <span class="pickup-shelf-value" data-testid="pickup-shelf">
          {pickup.shelf ?? "—"}
        </span>
      </p>
      <div class="pickup-facts">
        <h2 id="pickup-name" class="pickup-name" data-testid="pickup-name">
          {pickup.recipient_name}
        </h2>
        <dl class="pickup-list">
          <div>
            <dt>Parcels</dt>
            <dd data-testid="pickup-parcels">
              {parcelsText(pickup)}
              <ul class="pickup-barcodes">
                {pickup.parcels.map((barcode) => (
                  <li key={barcode} class="barcode">
                    {barcode}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
          <div>
            <dt>Waiting</dt>
            <dd data-testid="pickup-ready">{readySinceText(pickup.ready_at, now)}</dd>
          </div>
          {pickup.customer_arrived_at && (
            <div>
              <dt>Customer</dt>
              <dd>
                {whereText(pickup.curbside, pickup.parking_note)}, {arrivedText(pickup.customer_arrived_at, now)}
                {distanceText(pickup.customer_distance_m) ? ` (${distanceText(pickup.customer_distance_m)})` : ""}
              </dd>
            </div>
          )}
          <div>
            <dt>Order</dt>
            <dd>{pickup.reference}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}

function HandoverForm(props: {
  store: Store;
  pickup: Pickup;
  code: string;
  source: CodeSource;
  busy: boolean;
  error: Refusal | null;
}) {
  const { pickup } = props;
  const name = useSignal(pickup.recipient_name);
  const idChecked = useSignal(false);
  const signature = useSignal<Blob | null>(null);
  const nameError = useSignal<string | null>(null);
  const idError = useSignal<string | null>(null);
  const idInput = useRef<HTMLInputElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.busy) return;
    const recipient = name.value.trim().slice(0, MAX_NAME);
    if (!recipient) {
      nameError.value = "Write the name of the person taking the parcels.";
      nameInput.current?.focus();
      return;
    }
    if (pickup.id_check_required && !idChecked.value) {
      idError.value = "This order needs photo ID: check it, then tick the box.";
      idInput.current?.focus();
      return;
    }
    dispatch({ type: "hand-over" });
    try {
      const png = signature.value;
      const hash = png ? await uploadSignature(png) : null;
      const done = await handOver(props.store.id, pickup.order_id, {
        code: props.code,
        recipientName: recipient,
        signature: hash,
        idChecked: idChecked.value,
      });
      dispatch({ type: "handed", pickup: done, recipient });
      buzz("good");
    } catch (error) {
      endSessionIf401(error);
      dispatch({ type: "failed", refusal: refusalOf(error), final: isFinal(error) });
      buzz("bad");
    }
  }

  const id = "handover";
  return (
    <section class="store-stack" aria-labelledby="handover-title">
      <h2 id="handover-title" class="visually-hidden" ref={heading} tabIndex={-1}>
        Hand over to {pickup.recipient_name}, shelf {pickup.shelf ?? "unknown"}
      </h2>
      <PickupCard pickup={pickup} now={new Date()} />
      <form class="form card handover-form" onSubmit={submit} noValidate data-testid="handover-form">
        <h3 class="handover-title">Hand over</h3>
        {props.source === "list" && (
          <p class="store-note" data-testid="handover-no-code">
            Chosen from the waiting list, without the customer's code: check their ID before handing over.
          </p>
        )}
        <div class="field">
          <label for={`${id}-name`}>Collected by</label>
          <input
            id={`${id}-name`}
            ref={nameInput}
            type="text"
            autocomplete="off"
            autoCapitalize="words"
            maxLength={MAX_NAME}
            required
            aria-invalid={nameError.value ? "true" : undefined}
            aria-describedby={nameError.value ? `${id}-name-error` : `${id}-name-hint`}
            value={name.value}
            onInput={(event) => {
              name.value = event.currentTarget.value;
              nameError.value = null;
            }}
            data-testid="handover-name"
          />
          <p id={`${id}-name-hint`} class="muted">
            Change it when someone else collects for the customer.
          </p>
          {nameError.value && (
            <p id={`${id}-name-error`} class="form-error" role="alert">
              {nameError.value}
            </p>
          )}
        </div>
        {pickup.id_check_required && (
          <p class="store-note" data-testid="handover-id-required">
            Photo ID required: check that the name on the ID matches the order.
          </p>
        )}
        <label class="checkbox handover-id">
          <input
            ref={idInput}
            type="checkbox"
            checked={idChecked.value}
            required={pickup.id_check_required}
            aria-invalid={idError.value ? "true" : undefined}
            aria-describedby={idError.value ? `${id}-id-error` : undefined}
            onChange={(event) => {
              idChecked.value = event.currentTarget.checked;
              idError.value = null;
            }}
            data-testid="handover-id-checked"
          />
          <span>{pickup.id_check_required ? "I checked their photo ID" : "ID checked"}</span>
        </label>
        {idError.value && (
          <p id={`${id}-id-error`} class="form-error" role="alert" data-testid="handover-id-error">
            {idError.value}
          </p>
        )}
        <SignatureField id={id} label="Signature" onChange={(png) => (signature.value = png)} />
        {props.error && <RefusalCard refusal={props.error} testId="handover-error" />}
        <div class="handover-actions">
          <button
            type="submit"
            class="button button-wide handover-submit"
            aria-disabled={props.busy ? "true" : undefined}
            data-testid="handover-submit"
          >
            {props.busy ? "Handing over…" : "Hand over"}
          </button>
          <button
            type="button"
            class="button button-secondary button-wide"
            onClick={() => dispatch({ type: "next" })}
            data-testid="handover-cancel"
          >
            Not now: scan another code
          </button>
        </div>
      </form>
    </section>
  );
}

function HandedOver(props: { pickup: Pickup; recipient: string }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const { pickup } = props;
  return (
    <section class="store-done" role="status" aria-labelledby="handed-title" data-testid="handover-done">
      <p class="store-done-tick" aria-hidden="true">
        ✓
      </p>
      <h2 id="handed-title" class="store-done-title">
        Handed over
      </h2>
      <p class="store-done-text">
        {parcelsText({ parcels: pickup.parcels, scanned: pickup.parcels })}
        {pickup.shelf ? ` from shelf ${pickup.shelf}` : ""} to <strong>{props.recipient}</strong>
        {props.recipient.endsWith(".") ? "" : "."}
      </p>
      <button
        type="button"
        ref={button}
        class="button button-wide store-big-button"
        onClick={() => dispatch({ type: "next" })}
        data-testid="handover-next"
      >
        Scan the next customer
      </button>
    </section>
  );
}
