// "Needs attention": the dispatcher's exceptions inbox for the day on screen (backend/inbox): failed attempts,
// late stops, drivers out of reach, driver actions the server refused, webhook failures. Most urgent first;
// "Show on plan" opens the route's stops, "Acknowledge" moves an item to the handled ones. Reloaded on live
// events (dispatch-actions.ts asks), on a reconnect, when the day changes, and every minute (a driver going
// silent raises no event).
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { acknowledgeItem, getInbox, type Inbox, type InboxItem } from "../../api/inbox";
import { selectedRouteId, serviceDate, timeZone, type Loadable } from "../../state/dispatch";
import { changeDate } from "./dispatch-actions";
import { handledItems, handledText, kindLabel, openCountText, openGroups, planTarget, whenText, withItem } from "./inbox";
import "./inbox.css";
import { dispatchErrorMessage } from "./messages";

/** How often the card reloads on its own, for what changes without an event. */
const RELOAD_EVERY_MS = 60_000;
/** Events come in bursts (a route starting moves every order): one reload after the burst. */
const RELOAD_DELAY_MS = 500;

export const inbox = signal<Loadable<Inbox> | null>(null);
const busyKey = signal<string | null>(null);
const notice = signal<{ tone: "done" | "error"; text: string } | null>(null);
let reloadTimer: ReturnType<typeof setTimeout> | null = null;

/** The inbox of the day on screen; an answer for a day the dispatcher already left is dropped. */
export async function loadInbox(): Promise<void> {
  const date = serviceDate.value;
  if (!date) return;
  if (inbox.value === null) inbox.value = { status: "loading" };
  try {
    const answer = await getInbox(date);
    if (serviceDate.value === date) inbox.value = { status: "ready", value: answer };
  } catch (error) {
    // a reload that fails keeps the list on screen; only a first load says so
    if (serviceDate.value === date && inbox.value?.status !== "ready") {
      inbox.value = { status: "failed", message: dispatchErrorMessage(error) };
    }
  }
}

/** A live event said something may have changed: reload once the burst is over. */
export function requestInboxReload(): void {
  if (reloadTimer !== null) return;
  reloadTimer = setTimeout(() => {
    reloadTimer = null;
    void loadInbox();
  }, RELOAD_DELAY_MS);
}

async function acknowledge(item: InboxItem, heading: HTMLElement | null): Promise<void> {
  if (busyKey.value) return;
  busyKey.value = item.key;
  notice.value = null;
  try {
    const handled = await acknowledgeItem(item.key);
    const current = inbox.value;
    if (current?.status === "ready") inbox.value = { status: "ready", value: withItem(current.value, handled) };
    notice.value = { tone: "done", text: `Marked handled: ${item.title}` };
    heading?.focus(); // the button is gone with its item: keep the keyboard in the card
  } catch (error) {
    notice.value = { tone: "error", text: dispatchErrorMessage(error) };
    void loadInbox(); // resolved meanwhile (404) or changed: show what is true now
  } finally {
    busyKey.value = null;
  }
}

/** Opens the item's route in the plan: its day, highlighted on the map, its stop list open and in view. */
async function showOnPlan(item: InboxItem): Promise<void> {
  const target = planTarget(item);
  if (!target) return;
  notice.value = null;
  if (serviceDate.value !== target.date) await changeDate(target.date);
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the plan render its routes
  const details = document.getElementById(`stops-${target.routeId}`);
  if (!(details instanceof HTMLDetailsElement)) {
    notice.value = {
      tone: "error",
      text: "That route is not in the plan on screen (a later revision replaced it, or it is still loading).",
    };
    return;
  }
  selectedRouteId.value = target.routeId;
  details.open = true;
  details.scrollIntoView({ block: "start" });
  details.querySelector("summary")?.focus();
}

export function InboxPanel() {
  const heading = useRef<HTMLHeadingElement>(null);
  const date = serviceDate.value;
  const zone = timeZone.value;

  useEffect(() => {
    inbox.value = null;
    notice.value = null;
    void loadInbox();
  }, [date]);
  useEffect(() => {
    const timer = setInterval(() => void loadInbox(), RELOAD_EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  const state = inbox.value;
  const ready = state?.status === "ready" ? state.value : null;
  const open = ready ? openGroups(ready.items) : [];
  const handled = ready ? handledItems(ready.items) : [];
  const openCount = ready?.open_count ?? 0;
  const shownDate = ready?.date ?? date;

  return (
    <section class="card inbox-panel" aria-labelledby="inbox-heading" data-testid="inbox-panel">
      <h2 id="inbox-heading" class="inbox-heading" tabIndex={-1} ref={heading}>
        Needs attention
        {ready && (
          <span class={`inbox-badge${openCount === 0 ? " inbox-badge-clear" : ""}`} data-testid="inbox-count">
            <span aria-hidden="true">{openCount}</span>
            <span class="visually-hidden">{openCountText(openCount)}</span>
          </span>
        )}
      </h2>
      {notice.value && (
        <p
          class={notice.value.tone === "done" ? "inbox-notice" : "form-error"}
          role={notice.value.tone === "done" ? "status" : "alert"}
          data-testid="inbox-notice"
        >
          {notice.value.text}
        </p>
      )}
      {(state === null || state.status === "loading") && <p class="muted">Looking for what needs attention…</p>}
      {state?.status === "failed" && (
        <div class="inbox-failed">
          <p class="form-error" role="alert">
            {state.message}
          </p>
          <button type="button" class="button button-secondary" onClick={() => void loadInbox()}>
            Try again
          </button>
        </div>
      )}
      {ready && open.length === 0 && (
        <p class="muted" data-testid="inbox-empty">
          Nothing needs you right now. Failed attempts, late stops, drivers out of reach for {ready.offline_after_min}{" "}
          min, refused driver actions and webhook failures show up here.
        </p>
      )}
      {open.map((group) => (
        <div class={`inbox-group inbox-group-${group.severity}`} key={group.severity}>
          <h3 class="inbox-group-heading">
            {group.heading} <span class="muted">({group.items.length})</span>
          </h3>
          <ul class="inbox-list">
            {group.items.map((item) => (
              <Item
                key={item.key}
                item={item}
                zone={zone}
                shownDate={shownDate}
                busy={busyKey.value === item.key}
                onAcknowledge={() => void acknowledge(item, heading.current)}
              />
            ))}
          </ul>
        </div>
      ))}
      {handled.length > 0 && (
        <details class="inbox-handled" data-testid="inbox-handled">
          <summary>Handled ({handled.length})</summary>
          <ul class="inbox-list">
            {handled.map((item) => (
              <Item key={item.key} item={item} zone={zone} shownDate={shownDate} busy={false} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Item(props: {
  item: InboxItem;
  zone: string;
  shownDate: string;
  busy: boolean;
  onAcknowledge?: () => void;
}) {
  const { item } = props;
  const target = planTarget(item);
  const titleId = `inbox-title-${item.key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <li
      class={`inbox-item inbox-item-${item.severity}${item.acknowledged ? " inbox-item-handled" : ""}`}
      data-testid="inbox-item"
      data-kind={item.kind}
    >
      <div class="inbox-item-head">
        <time class="inbox-time" dateTime={item.occurred_at}>
          {whenText(item.occurred_at, props.zone, props.shownDate)}
        </time>
        <span class={`chip inbox-kind inbox-kind-${item.kind}`}>{kindLabel(item.kind)}</span>
      </div>
      <p class="inbox-title" id={titleId}>
        {item.title}
      </p>
      {item.detail && <p class="muted inbox-detail">{item.detail}</p>}
      {item.acknowledged && <p class="muted inbox-detail">{handledText(item, props.zone, props.shownDate)}</p>}
      {(target || props.onAcknowledge) && (
        <div class="inbox-actions">
          {target && (
            <button
              type="button"
              class="button button-secondary"
              aria-describedby={titleId}
              onClick={() => void showOnPlan(item)}
            >
              Show on plan
            </button>
          )}
          {props.onAcknowledge && (
            <button
              type="button"
              class="button"
              aria-describedby={titleId}
              aria-disabled={props.busy ? "true" : undefined}
              onClick={props.onAcknowledge}
              data-testid="inbox-acknowledge"
            >
              {props.busy ? "Saving…" : "Acknowledge"}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
