// The carrier screen (a lazily loaded chunk): the orders shippers gave this courier company, in tabs by state
// (to pick up, on the way, done, failed) and by shipper within each, with a search; on each order what
// delivering it needs and the next steps: picked up, delivered (who took it, photos), failed (why). The list
// reads again when the window comes back into focus and every minute.
import { useSignal, type Signal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { fetchCarrierOrders, MAX_PHOTOS, type CarrierOrder, type FailureCode } from "../../api/carrier";
import { PhotoField } from "../../components/camera/PhotoField";
import { ScreenHeader } from "../../components/gate/ScreenHeader";
import { SignedInFooter } from "../../components/gate/SignedInFooter";
import { UpdateBanner } from "../../components/UpdateBanner";
import { requestErrorMessage } from "../shell/messages";
import { endSessionIf401, record, send } from "./carrier-actions";
import { actionsFor, board, elsewhere, stateOf, visibleStates, type CarrierState } from "./orders";
import { mayRetry, UpdateKeeper, type PendingUpdate } from "./updates";
import {
  appliedText,
  countText,
  emptyText,
  FAILURE_REASONS,
  orderName,
  parcelsText,
  refusalText,
  stateLabel,
  statusText,
  truncatedText,
  updatedText,
  windowText,
} from "./wording";
import "./carrier.css";

/** How often the list is read again while the screen is open. */
const REFRESH_EVERY_MS = 60_000;
/** Focus and visibility changes come in pairs: one read for both. */
const REFRESH_AT_MOST_EVERY_MS = 3_000;

type Orders =
  | { status: "loading" }
  | { status: "failed"; message: string }
  | { status: "ready"; orders: CarrierOrder[]; total: number; at: Date; refreshError: string | null };

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function CarrierScreen(props: { user: CurrentUser }) {
  const orders = useSignal<Orders>({ status: "loading" });
  const tab = useSignal<CarrierState>("to_pick_up");
  const query = useSignal("");
  const notice = useSignal<{ text: string; refused: boolean } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const keeper = useMemo(
    () => new UpdateKeeper(storage(), `doorstep.carrier-updates.${props.user.id}`),
    [props.user.id],
  );
  const loading = useRef<Promise<void> | null>(null);
  const readAgain = useRef(false);
  const lastStarted = useRef(0);

  /** Reads the list (one read at a time); forced, it reads again after one under way, which may predate a change. */
  function refresh(force = false): Promise<void> {
    if (loading.current) {
      if (force) readAgain.current = true;
      return loading.current;
    }
    if (!force && Date.now() - lastStarted.current < REFRESH_AT_MOST_EVERY_MS) return Promise.resolve();
    lastStarted.current = Date.now();
    loading.current = (async () => {
      try {
        const { orders: list, total } = await fetchCarrierOrders();
        orders.value = { status: "ready", orders: list, total, at: new Date(), refreshError: null };
      } catch (error) {
        endSessionIf401(error);
        const message = requestErrorMessage(error);
        const current = orders.value;
        orders.value =
          current.status === "ready" ? { ...current, refreshError: message } : { status: "failed", message };
      } finally {
        loading.current = null;
        if (readAgain.current) {
          readAgain.current = false;
          void refresh(true);
        }
      }
    })();
    return loading.current;
  }

  useEffect(() => {
    document.title = `${props.user.organization_name} · Carrier · Doorstep`;
    void refresh(true);
    const timer = window.setInterval(() => void refresh(), REFRESH_EVERY_MS);
    const onFocus = () => void refresh();
    const onVisible = () => {
      if (document.visibilityState === "visible") void refresh();
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  /** After the server's answer: the line at the top says what happened, the list is read again (the order may
   * move to another tab, so that line takes the focus its card had). A try without an answer stays on its card. */
  function answered(text: string, refused: boolean) {
    notice.value = { text, refused };
    void refresh(true);
    requestAnimationFrame(() => noticeRef.current?.focus());
  }

  const current = orders.value;
  let body;
  if (current.status === "loading") {
    body = (
      <section class="card carrier-single" aria-busy="true" aria-labelledby="carrier-loading">
        <h2 id="carrier-loading">Loading your orders…</h2>
      </section>
    );
  } else if (current.status === "failed") {
    body = (
      <section class="card notice carrier-single" aria-labelledby="carrier-failed">
        <h2 id="carrier-failed">Your orders could not be loaded</h2>
        <p>{current.message}</p>
        <button type="button" class="button button-wide" onClick={() => void refresh(true)}>
          Try again
        </button>
      </section>
    );
  } else {
    const shown = board(current.orders, tab.value, query.value);
    const found = elsewhere(shown.counts, tab.value);
    const now = current.at;
    const cut = truncatedText(current.orders.length, current.total);
    body = (
      <>
        <div class="carrier-bar">
          <div class="field carrier-search">
            <label for="carrier-search">Search</label>
            <input
              id="carrier-search"
              type="search"
              placeholder="Name, address, phone, parcel or reference"
              value={query.value}
              onInput={(event) => (query.value = event.currentTarget.value)}
              autoComplete="off"
              spellcheck={false}
            />
          </div>
          <div class="carrier-tabs" role="group" aria-label="Orders by state">
            {visibleStates(shown.counts, tab.value).map((state) => (
              <button
                key={state}
                type="button"
                class="carrier-tab"
                aria-pressed={tab.value === state ? "true" : "false"}
                data-testid={`carrier-tab-${state}`}
                onClick={() => (tab.value = state)}
              >
                <span>{stateLabel(state)}</span>
                <span class="carrier-tab-count">{shown.counts[state]}</span>
              </button>
            ))}
          </div>
        </div>
        <div class="carrier-meta">
          <p class="muted" data-testid="carrier-updated">
            {updatedText(current.at)}
            {cut && ` · ${cut}`}
          </p>
          <button type="button" class="button button-secondary" onClick={() => void refresh(true)}>
            Refresh
          </button>
        </div>
        {current.refreshError && (
          <p class="form-error" role="alert">
            Could not refresh: {current.refreshError}
          </p>
        )}
        {shown.groups.length === 0 ? (
          <section class="card carrier-empty" aria-labelledby="carrier-empty" data-testid="carrier-empty">
            <h2 id="carrier-empty">{query.value.trim() ? "Nothing found here" : emptyText(tab.value)}</h2>
            {found && (
              <p>
                {countText(shown.counts[found], "order")} found under{" "}
                <button type="button" class="button button-secondary" onClick={() => (tab.value = found)}>
                  {stateLabel(found)}
                </button>
              </p>
            )}
          </section>
        ) : (
          shown.groups.map((group, index) => (
            <section
              key={group.shipper}
              class="carrier-shipper"
              aria-labelledby={`carrier-shipper-${index}`}
              data-testid="carrier-shipper"
            >
              <h2 id={`carrier-shipper-${index}`} class="carrier-shipper-name">
                {group.shipper} <span class="carrier-shipper-count">{countText(group.orders.length, "order")}</span>
              </h2>
              <ul class="carrier-orders">
                {group.orders.map((order) => (
                  <OrderCard key={order.id} order={order} now={now} keeper={keeper} onAnswer={answered} />
                ))}
              </ul>
            </section>
          ))
        )}
      </>
    );
  }

  return (
    <div class="carrier">
      <UpdateBanner />
      <ScreenHeader app="Carrier">
        <h1 class="carrier-name" data-testid="carrier-name">
          {props.user.organization_name}
        </h1>
      </ScreenHeader>
      <main class="carrier-main">
        <p
          class={
            notice.value === null
              ? "carrier-notice carrier-notice-empty"
              : notice.value.refused
                ? "carrier-notice carrier-notice-refused"
                : "carrier-notice"
          }
          role="status"
          tabIndex={-1}
          ref={noticeRef}
          data-testid="carrier-notice"
        >
          {notice.value?.text}
        </p>
        {body}
      </main>
      <SignedInFooter user={props.user} class="carrier-footer" />
    </div>
  );
}

type Mode = "idle" | "deliver" | "fail";

function OrderCard(props: {
  order: CarrierOrder;
  now: Date;
  keeper: UpdateKeeper;
  /** The server answered: applied (refused false) or refused, in words. */
  onAnswer(text: string, refused: boolean): void;
}) {
  const { order, keeper } = props;
  const state = stateOf(order.status);
  const mode = useSignal<Mode>("idle");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const pending = useSignal<PendingUpdate | null>(keeper.unanswered(order.id));
  const headingId = `carrier-order-${order.id}`;

  async function attempt(run: () => Promise<string>) {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      const message = await run();
      pending.value = null;
      mode.value = "idle";
      props.onAnswer(message, false);
    } catch (failure) {
      error.value = refusalText(failure);
      pending.value = keeper.unanswered(order.id);
      if (!mayRetry(failure)) props.onAnswer(`${orderName(order)} was not updated. ${error.value}`, true);
    } finally {
      busy.value = false;
    }
  }

  function pickUp() {
    void attempt(async () => {
      const { applied, update } = await record(keeper, order, { status: "picked_up" });
      return appliedText(order, update, applied);
    });
  }

  function resend(entry: PendingUpdate) {
    void attempt(async () => appliedText(order, entry.update, await send(keeper, entry)));
  }

  const actions = actionsFor(state);
  return (
    <li
      class="card carrier-order"
      aria-labelledby={headingId}
      data-testid="carrier-order"
      data-reference={order.reference ?? ""}
    >
      <div class="carrier-order-head">
        <h3 id={headingId} class="carrier-order-ref">
          {orderName(order)}
        </h3>
        <span class={`carrier-status carrier-status-${state}`} data-testid="carrier-order-status">
          {statusText(order.status)}
        </span>
      </div>
      <p class="carrier-recipient">{order.recipient_name}</p>
      <p class="carrier-address">{order.address}</p>
      <dl class="carrier-facts">
        <div>
          <dt>Window</dt>
          <dd>{windowText(order.window_start_at, order.window_end_at, props.now)}</dd>
        </div>
        <div>
          <dt>Phone</dt>
          <dd>
            {order.recipient_phone ? (
              <a class="carrier-phone" href={`tel:${order.recipient_phone.replace(/[^\d+]/g, "")}`}>
                {order.recipient_phone}
              </a>
            ) : (
              <span class="muted">None given</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Parcels</dt>
          <dd>
            {parcelsText(order)}
            {order.parcels.length > 0 && <span class="carrier-barcodes">{order.parcels.join(", ")}</span>}
          </dd>
        </div>
        {order.notes && (
          <div>
            <dt>Notes</dt>
            <dd>{order.notes}</dd>
          </div>
        )}
      </dl>
      {order.id_check_required && <p class="carrier-id-check">Check the recipient's photo ID at the door.</p>}

      {pending.value && mode.value === "idle" && (
        <div class="carrier-pending" data-testid="carrier-pending">
          <p>
            An update of this order ({stateLabelOf(pending.value)}) has not been confirmed. Send it again: it will
            not be recorded twice.
          </p>
          <button
            type="button"
            class="button"
            onClick={() => pending.value && resend(pending.value)}
            aria-disabled={busy.value ? "true" : undefined}
          >
            {busy.value ? "Sending…" : "Send again"}
          </button>
        </div>
      )}

      {mode.value === "idle" && actions.length > 0 && (
        <div class="carrier-actions">
          {actions.includes("picked_up") && (
            <button type="button" class="button" onClick={pickUp} aria-disabled={busy.value ? "true" : undefined}>
              {busy.value ? "Sending…" : "Picked up"}
            </button>
          )}
          {actions.includes("delivered") && (
            <button type="button" class="button" onClick={() => ((mode.value = "deliver"), (error.value = null))}>
              Delivered
            </button>
          )}
          {actions.includes("failed") && (
            <button
              type="button"
              class="button button-secondary carrier-danger"
              onClick={() => ((mode.value = "fail"), (error.value = null))}
            >
              Failed
            </button>
          )}
        </div>
      )}
      {mode.value === "deliver" && (
        <DeliverForm
          order={order}
          busy={busy.value}
          onCancel={() => (mode.value = "idle")}
          onSubmit={(recipient, note, photos) =>
            void attempt(async () => {
              const intent = { status: "delivered", recipient_name: recipient, ...(note ? { note } : {}) } as const;
              const { applied, update } = await record(keeper, order, intent, photos);
              return appliedText(order, update, applied);
            })
          }
        />
      )}
      {mode.value === "fail" && (
        <FailForm
          order={order}
          busy={busy.value}
          onCancel={() => (mode.value = "idle")}
          onSubmit={(reason, note, photos) =>
            void attempt(async () => {
              const intent = { status: "failed", reason, ...(note ? { note } : {}) } as const;
              const { applied, update } = await record(keeper, order, intent, photos);
              return appliedText(order, update, applied);
            })
          }
        />
      )}
      {error.value && (
        <p class="form-error" role="alert" data-testid="carrier-order-error">
          {error.value}
        </p>
      )}
    </li>
  );
}

function stateLabelOf(entry: PendingUpdate): string {
  switch (entry.update.status) {
    case "picked_up":
      return "picked up";
    case "delivered":
      return "delivered";
    case "failed":
      return "failed";
  }
}

function DeliverForm(props: {
  order: CarrierOrder;
  busy: boolean;
  onCancel(): void;
  onSubmit(recipient: string, note: string, photos: Blob[]): void;
}) {
  const { order } = props;
  const name = useSignal("");
  const note = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const missing = useSignal(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const id = `deliver-${order.id}`;
  useEffect(() => nameInput.current?.focus(), []);

  function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.busy) return;
    const recipient = name.value.trim();
    if (!recipient) {
      missing.value = true;
      nameInput.current?.focus();
      return;
    }
    props.onSubmit(recipient, note.value.trim(), photos.value);
  }

  return (
    <form class="form carrier-form" onSubmit={submit} noValidate aria-label={`Delivery of ${orderName(order)}`}>
      <div class="field">
        <label for={`${id}-name`}>Who took it? (required)</label>
        <input
          id={`${id}-name`}
          ref={nameInput}
          autoComplete="off"
          maxLength={200}
          value={name.value}
          aria-invalid={missing.value ? "true" : undefined}
          aria-describedby={missing.value ? `${id}-name-error` : undefined}
          onInput={(event) => {
            name.value = event.currentTarget.value;
            missing.value = false;
          }}
        />
        <button
          type="button"
          class="button button-secondary carrier-same"
          onClick={() => {
            name.value = order.recipient_name;
            missing.value = false;
          }}
        >
          It was {order.recipient_name}
        </button>
        {missing.value && (
          <p id={`${id}-name-error`} class="form-error" role="alert">
            Say who took the parcel: it is the proof of delivery.
          </p>
        )}
      </div>
      <NoteAndPhotos
        id={id}
        note={note}
        photos={photos}
        photoHint="The parcel at the door, or in the hands that took it."
        submitLabel="Record delivery"
        submitClass="button"
        busy={props.busy}
        onCancel={props.onCancel}
      />
    </form>
  );
}

function FailForm(props: {
  order: CarrierOrder;
  busy: boolean;
  onCancel(): void;
  onSubmit(reason: FailureCode, note: string, photos: Blob[]): void;
}) {
  const { order } = props;
  const reason = useSignal<FailureCode | null>(null);
  const note = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const missing = useSignal(false);
  const id = `fail-${order.id}`;
  const focusFirst = () => document.getElementById(`${id}-reason-0`)?.focus();
  useEffect(focusFirst, []);

  function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (props.busy) return;
    if (!reason.value) {
      missing.value = true;
      focusFirst();
      return;
    }
    props.onSubmit(reason.value, note.value.trim(), photos.value);
  }

  return (
    <form class="form carrier-form" onSubmit={submit} noValidate aria-label={`Failed delivery of ${orderName(order)}`}>
      <fieldset class="carrier-choices" aria-describedby={missing.value ? `${id}-reason-error` : undefined}>
        <legend>Why? (required)</legend>
        <div class="carrier-choice-grid">
          {FAILURE_REASONS.map((option, index) => (
            <label
              key={option.code}
              class={reason.value === option.code ? "carrier-choice carrier-choice-on" : "carrier-choice"}
            >
              <input
                id={`${id}-reason-${index}`}
                type="radio"
                name={`${id}-reason`}
                value={option.code}
                checked={reason.value === option.code}
                onChange={() => {
                  reason.value = option.code;
                  missing.value = false;
                }}
              />
              {option.label}
            </label>
          ))}
        </div>
        {missing.value && (
          <p id={`${id}-reason-error`} class="form-error" role="alert">
            Choose why the delivery did not happen.
          </p>
        )}
      </fieldset>
      <NoteAndPhotos
        id={id}
        note={note}
        photos={photos}
        photoHint="The door, the closed gate, the damage."
        submitLabel="Record failed delivery"
        submitClass="button carrier-danger-solid"
        busy={props.busy}
        onCancel={props.onCancel}
      />
    </form>
  );
}

/** The end of both proof forms: an optional note and photos, then send or cancel. */
function NoteAndPhotos(props: {
  id: string;
  note: Signal<string>;
  photos: Signal<Blob[]>;
  photoHint: string;
  submitLabel: string;
  submitClass: string;
  busy: boolean;
  onCancel(): void;
}) {
  const { id, note, photos } = props;
  return (
    <>
      <div class="field">
        <label for={`${id}-note`}>Note (optional)</label>
        <textarea
          id={`${id}-note`}
          rows={2}
          maxLength={500}
          value={note.value}
          onInput={(event) => (note.value = event.currentTarget.value)}
        />
      </div>
      <PhotoField
        id={id}
        label="Photo (optional)"
        hint={props.photoHint}
        photos={photos.value}
        max={MAX_PHOTOS}
        onChange={(next) => (photos.value = next)}
      />
      <div class="carrier-form-actions">
        <button type="submit" class={props.submitClass} aria-disabled={props.busy ? "true" : undefined}>
          {props.busy ? "Sending…" : props.submitLabel}
        </button>
        <button type="button" class="button button-secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
