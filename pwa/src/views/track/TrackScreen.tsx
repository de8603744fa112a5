// The customer's tracking page (a lazily loaded chunk: no dispatch or driver code in it): the status in
// plain words, the ETA window, how many stops before theirs, the map with the driver while theirs is next,
// the delivery instructions while they may change them, and the timeline. A parcel ready at a store shows
// its code, QR and "I'm here" instead; a delivered one offers a return; a return's own page shows its code.
// Where the browser can, a card turns this order's notices on this phone on and off (PushSlot.tsx).
// One column, 360 px up.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, TargetedSubmitEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { LiveStatus } from "../../api/live";
import { MAX_INSTRUCTIONS, type TrackingView } from "../../api/tracking";
import { tracking, trackingLive } from "../../state/tracking";
import { instructionsErrorMessage, retryText } from "./messages";
import { openTracking, saveInstructions } from "./track-actions";
import "./track.css";
import { PickupCard } from "./PickupCard";
import { ProofCard } from "./ProofCard";
import { PushSlot } from "./PushSlot";
import { canStartReturn, ReturnInfoCard, StartReturnCard } from "./ReturnCards";
import { returnHeadline, returnStepLabel } from "./return-wording";
import { TrackMap } from "./TrackMap";
import {
  CLOSED_STATUSES,
  driverNote,
  etaText,
  formatRange,
  formatWhen,
  headline,
  showsEta,
  showsMap,
  statusLabel,
  stopsAwayText,
  takesInstructions,
} from "./wording";

/** The clock the wording reads ("Arriving soon" once a window has passed, "tomorrow"): ticks twice a minute. */
const CLOCK_TICK_MS = 30_000;

export function TrackScreen(props: { token: string }) {
  const control = useRef<ReturnType<typeof openTracking> | null>(null);
  const now = useSignal(new Date());

  useEffect(() => {
    if (!props.token) {
      tracking.value = { status: "not-found" };
      return;
    }
    const opened = openTracking(props.token);
    control.current = opened;
    return () => {
      opened.stop();
      control.current = null;
    };
  }, [props.token]);

  useEffect(() => {
    const timer = setInterval(() => (now.value = new Date()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const state = tracking.value;
  useEffect(() => {
    document.title =
      state.status === "ready"
        ? `Your delivery from ${state.live.view.organization_name} · Doorstep`
        : "Track your delivery · Doorstep";
  }, [state.status === "ready" ? state.live.view.organization_name : state.status]);

  const retry = () => control.current?.retry();
  // Past the rate limit's window the page tries again by itself; the button is for the impatient.
  const retryAfterS = state.status === "rate-limited" ? (state.retryAfterS ?? 60) : null;
  useEffect(() => {
    if (retryAfterS === null) return;
    const timer = setTimeout(retry, Math.max(1, retryAfterS) * 1000);
    return () => clearTimeout(timer);
  }, [retryAfterS, state]);

  switch (state.status) {
    case "loading":
      return (
        <Page>
          <section class="card track-card" aria-busy="true" aria-labelledby="track-loading">
            <h1 id="track-loading" class="track-problem-title">
              Finding your delivery…
            </h1>
          </section>
        </Page>
      );
    case "not-found":
      return (
        <Problem title="This tracking link is not valid" testId="track-not-found">
          <p>
            Check that you opened the whole link from your message: links are long and sometimes get cut. If it still
            does not work, ask the sender for a new one.
          </p>
        </Problem>
      );
    case "expired":
      return (
        <Problem title="This tracking link has expired" testId="track-expired">
          <p>{state.detail ?? "This delivery was closed a while ago, so its tracking page is no longer available."}</p>
          <p>Questions about it? Contact the sender.</p>
        </Problem>
      );
    case "rate-limited":
      return (
        <Problem title="Too many requests" testId="track-rate-limited" onRetry={retry}>
          <p>This connection asked for tracking pages too often. {retryText(state.retryAfterS)}</p>
        </Problem>
      );
    case "offline":
      return (
        <Problem title="Can't reach the tracking service" testId="track-offline" onRetry={retry}>
          <p>Check your connection, then try again.</p>
        </Problem>
      );
    case "failed":
      return (
        <Problem title="Your delivery could not be shown" testId="track-failed" onRetry={retry}>
          <p>{state.message}</p>
        </Problem>
      );
    case "ready":
      // keyed by the link: following "Open your return's page" starts the page afresh, forms and all
      return (
        <Tracking
          key={props.token}
          view={state.live.view}
          token={props.token}
          now={now.value}
          live={trackingLive.value}
        />
      );
  }
}

function Page(props: { view?: TrackingView; children: ComponentChildren }) {
  return (
    <div class="track">
      <header class="track-header">
        <div class="track-header-inner">
          <p class="track-org" data-testid="track-organization">
            {props.view?.organization_name ?? "Delivery tracking"}
          </p>
          {props.view && <p class="track-reference">Order {props.view.reference}</p>}
        </div>
      </header>
      <main class="track-main" id="track-main">
        {props.children}
      </main>
    </div>
  );
}

function Problem(props: { title: string; testId: string; onRetry?: () => void; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Page>
      <section class="card notice track-card" aria-labelledby="track-problem" data-testid={props.testId}>
        <h1 id="track-problem" class="track-problem-title" ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.children}
        {props.onRetry && (
          <button type="button" class="button button-wide" onClick={props.onRetry}>
            Try again
          </button>
        )}
      </section>
    </Page>
  );
}

function Tracking(props: { view: TrackingView; token: string; now: Date; live: LiveStatus }) {
  const { view, now } = props;
  const closed = CLOSED_STATUSES.has(view.status);
  const returnInfo = view.kind === "return" ? (view.return_info ?? null) : null;
  const title = returnInfo ? returnHeadline({ ...view, return_info: returnInfo }, now) : headline(view, now);
  const stops = closed ? "" : stopsAwayText(view.stops_away);
  const dropOff = returnInfo?.method === "store_dropoff";
  return (
    <Page view={view}>
      {view.pickup ? (
        <PickupCard pickup={view.pickup} token={props.token} now={now}>
          <LiveLine status={props.live} />
        </PickupCard>
      ) : (
        <section class="card track-card track-status" aria-labelledby="track-headline">
          {/* Read out when it changes: the status, the ETA, the stops before theirs. */}
          <div class="track-now" role="status" aria-live="polite" aria-atomic="true">
            <h1 id="track-headline" class="track-headline" data-testid="track-headline">
              {title.title}
            </h1>
            {showsEta(view) && view.eta && (
              <p class="track-eta" data-testid="track-eta">
                {etaText(view.eta, now)}
              </p>
            )}
            {stops && !title.title.includes(stops) && (
              <p class="track-stops-away" data-testid="track-stops-away">
                {stops}
              </p>
            )}
          </div>
          {title.detail && (
            <p class="muted" data-testid="track-headline-detail">
              {title.detail}
            </p>
          )}
          <dl class="track-facts">
            <div>
              <dt>For</dt>
              <dd>{view.recipient_name}</dd>
            </div>
            {!dropOff && view.kind !== "store_pickup" && (
              <div>
                <dt>{view.kind === "return" ? "Collected from" : "Address"}</dt>
                <dd>{view.address}</dd>
              </div>
            )}
            {view.window_start_at && view.window_end_at && (
              <div>
                <dt>{view.kind === "return" ? "Collection window" : "Delivery window"}</dt>
                <dd>{formatRange(view.window_start_at, view.window_end_at, now)}</dd>
              </div>
            )}
            {view.driver_name && !closed && (
              <div>
                <dt>Driver</dt>
                <dd>{view.driver_name}</dd>
              </div>
            )}
          </dl>
          {!closed && <LiveLine status={props.live} />}
        </section>
      )}

      {returnInfo && <ReturnInfoCard info={returnInfo} status={view.status} token={props.token} now={now} />}

      {showsMap(view) && (
        <section class="card track-card track-map-card" aria-labelledby="track-map-heading">
          <h2 id="track-map-heading" class="visually-hidden">
            Map
          </h2>
          <TrackMap
            destination={{ lat: view.lat, lon: view.lon }}
            driver={view.driver}
            driverLabel={view.driver_name ? `${view.driver_name}, your driver` : "Your driver"}
          />
          <p class="muted track-map-note" data-testid="track-driver-note">
            {driverNote(view.driver_name, view.driver, now)}
          </p>
        </section>
      )}

      <PushSlot token={props.token} closed={closed} />
      {view.proof && <ProofCard proof={view.proof} token={props.token} now={now} />}
      {canStartReturn(view) && <StartReturnCard token={props.token} />}
      {takesInstructions(view) && <Instructions view={view} token={props.token} />}
      <Timeline view={view} now={now} />

      <footer class="track-footer">
        {view.link_expires_at && <p>This page works until {formatWhen(view.link_expires_at, now)}.</p>}
        <p>Delivery tracking by Doorstep. Times are in your device's time zone.</p>
      </footer>
    </Page>
  );
}

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting to live updates…",
  live: "Live: this page updates by itself",
  reconnecting: "Connection lost, reconnecting…",
  stopped: "Live updates are off. Reload the page to see the latest.",
};

function LiveLine(props: { status: LiveStatus }) {
  return (
    <p class={`track-live track-live-${props.status}`} data-testid="track-live">
      <span class="track-live-dot" aria-hidden="true" />
      {LIVE_TEXT[props.status]}
    </p>
  );
}

function Instructions(props: { view: TrackingView; token: string }) {
  const { view } = props;
  const draft = useSignal(view.instructions ?? "");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const saved = useSignal("");
  const shownInstructions = useRef(view.instructions);

  // "Saved" is about the form; once the order is out there is no form to have saved.
  useEffect(() => {
    if (!view.instructions_editable) saved.value = "";
  }, [view.instructions_editable]);

  // The server's text replaces the draft when it changed there and the customer has not typed since.
  useEffect(() => {
    if (view.instructions !== shownInstructions.current && draft.value === (shownInstructions.current ?? "")) {
      draft.value = view.instructions ?? "";
    }
    shownInstructions.current = view.instructions;
  }, [view.instructions]);

  async function save(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    saved.value = "";
    try {
      const next = await saveInstructions(props.token, draft.value);
      draft.value = next.instructions ?? "";
      shownInstructions.current = next.instructions;
      saved.value = next.instructions ? "Saved. Your driver will see these instructions." : "Saved: no instructions.";
    } catch (failure) {
      error.value = instructionsErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  const length = draft.value.length;
  return (
    <section class="card track-card" aria-labelledby="instructions-heading" data-testid="track-instructions">
      <h2 id="instructions-heading">Delivery instructions</h2>
      {view.instructions_editable ? (
        <form class="form" onSubmit={save} aria-describedby={error.value ? "instructions-error" : undefined}>
          <div class="field">
            <label for="instructions">Instructions for your driver</label>
            <textarea
              id="instructions"
              name="instructions"
              rows={3}
              maxLength={MAX_INSTRUCTIONS}
              aria-describedby="instructions-help instructions-count"
              value={draft.value}
              onInput={(event) => {
                draft.value = event.currentTarget.value;
                saved.value = "";
              }}
            />
            <p id="instructions-help" class="muted">
              A door code, where to leave the parcel, a neighbour who can take it.
            </p>
            <p id="instructions-count" class="muted track-count">
              {length} / {MAX_INSTRUCTIONS} characters
            </p>
          </div>
          <button type="submit" class="button button-wide" aria-disabled={busy.value ? "true" : undefined}>
            {busy.value ? "Saving…" : "Save instructions"}
          </button>
        </form>
      ) : (
        <>
          <p class="track-instructions-text" data-testid="track-instructions-text">
            {view.instructions ?? "No instructions given."}
          </p>
          <p class="muted">
            {CLOSED_STATUSES.has(view.status)
              ? "This delivery is closed."
              : "Your driver has the route now, so the instructions can no longer be changed here. Contact the sender if something changed."}
          </p>
        </>
      )}
      <p role="status" class="track-saved">
        {saved.value}
      </p>
      {error.value && (
        <p id="instructions-error" class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </section>
  );
}

function Timeline(props: { view: TrackingView; now: Date }) {
  const entries = props.view.timeline;
  if (entries.length === 0) return null;
  return (
    <section class="card track-card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Progress</h2>
      <ol class="track-timeline" data-testid="track-timeline">
        {entries.map((entry, index) => (
          <li
            key={`${entry.status}-${entry.at}`}
            class={index === entries.length - 1 ? "track-step track-step-current" : "track-step"}
            aria-current={index === entries.length - 1 ? "step" : undefined}
          >
            <span class="track-step-status">
              {props.view.return_info
                ? returnStepLabel(entry.status, props.view.return_info.method)
                : statusLabel(entry.status)}
            </span>
            <time dateTime={entry.at}>{formatWhen(entry.at, props.now)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
