// A parcel waiting at a store, in place of the delivery's status: where, whether the store is open, the code
// and QR the counter asks for, until when, and "I'm here" so the parcel is fetched before the customer reaches
// the counter (at the counter, or curbside with a note on where the car is).
import { useSignal } from "@preact/signals";
import type { ComponentChildren, TargetedSubmitEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { MAX_PARKING_NOTE, pickupQrPath, type PickupView } from "../../api/tracking";
import { openState, todayHoursText, weekLines } from "./hours";
import { QrImage } from "./QrImage";
import { instructionsErrorMessage } from "./messages";
import { herePosition } from "./here-position";
import { tellStoreHere } from "./track-actions";
import { collectByText, formatWhen } from "./wording";

export function PickupCard(props: { pickup: PickupView; token: string; now: Date; children?: ComponentChildren }) {
  const { pickup, token, now } = props;
  const open = openState(pickup.opening_hours, now);
  return (
    <section class="card track-card track-pickup" aria-labelledby="track-headline" data-testid="track-pickup">
      <div class="track-now" role="status" aria-live="polite" aria-atomic="true">
        <h1 id="track-headline" class="track-headline" data-testid="track-headline">
          Ready for pickup at {pickup.store_name}
        </h1>
      </div>
      <div class="track-store">
        <p class="track-store-address">{pickup.store_address}</p>
        <p>
          <span class={`track-open track-open-${open.open === null ? "unknown" : open.open ? "yes" : "no"}`}>
            {open.text}
          </span>
          {open.open !== null && <span class="muted"> · {todayHoursText(pickup.opening_hours, now)}</span>}
        </p>
        {open.open !== null && <WeekHours hours={pickup.opening_hours} />}
        <a
          class="track-directions"
          href={mapLink(pickup.store_lat, pickup.store_lon)}
          target="_blank"
          rel="noopener noreferrer"
        >
          Directions to the store
        </a>
      </div>

      <div class="track-code-box">
        <p class="track-code-label">Your pickup code</p>
        <Code code={pickup.code} testId="track-pickup-code" />
        <QrImage
          src={pickupQrPath(token)}
          alt={`QR code for pickup code ${pickup.code}, for the store to scan`}
          testId="track-pickup-qr"
        />
        <p>Show this at the counter.</p>
      </div>
      {pickup.expires_at && (
        <p class="track-collect-by" data-testid="track-collect-by">
          {collectByText(pickup.expires_at, now)}
        </p>
      )}
      <Here pickup={pickup} token={token} now={now} />
      {props.children}
    </section>
  );
}

/** The store on OpenStreetMap, in a new tab: from there the phone's own maps app can take over. */
function mapLink(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}

/** A code in large letters, in two halves for reading out; spelled letter by letter to a screen reader. */
export function Code(props: { code: string; testId: string }) {
  const half = Math.ceil(props.code.length / 2);
  return (
    <p class="track-code" data-testid={props.testId}>
      <span aria-hidden="true">
        <span>{props.code.slice(0, half)}</span>
        <span>{props.code.slice(half)}</span>
      </span>
      <span class="visually-hidden">{props.code.split("").join(" ")}</span>
    </p>
  );
}

export function WeekHours(props: { hours: PickupView["opening_hours"] }) {
  return (
    <details class="track-week-hours">
      <summary>Opening hours</summary>
      <dl>
        {weekLines(props.hours).map((line) => (
          <div key={line.days}>
            <dt>{line.days}</dt>
            <dd>{line.hours}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function Here(props: { pickup: PickupView; token: string; now: Date }) {
  const { pickup } = props;
  const formOpen = useSignal(false);
  const curbside = useSignal(false);
  const sharePosition = useSignal(false);
  const note = useSignal("");
  const sentNote = useSignal("");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (formOpen.value) first.current?.focus();
  }, [formOpen.value]);

  async function send(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    const parkingNote = curbside.value ? note.value.trim() : "";
    try {
      const position = sharePosition.value ? await herePosition(navigator.geolocation) : null;
      await tellStoreHere(props.token, {
        curbside: curbside.value,
        ...(parkingNote ? { parking_note: parkingNote } : {}),
        ...(position ?? {}),
      });
      sentNote.value = parkingNote;
      formOpen.value = false;
    } catch (failure) {
      error.value = instructionsErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  if (pickup.customer_arrived_at) {
    return (
      <div class="track-here-done" role="status" data-testid="track-here-done">
        <p class="track-here-title">The store knows you are here</p>
        <p>
          {pickup.curbside
            ? `Stay with your car: they will bring your parcel out${sentNote.value ? ` (${sentNote.value})` : ""}.`
            : "Your parcel is being fetched: show your code at the counter."}
        </p>
        <p class="muted">Since {formatWhen(pickup.customer_arrived_at, props.now)}</p>
      </div>
    );
  }

  if (!formOpen.value) {
    return (
      <div class="track-here">
        <button
          type="button"
          class="button button-wide"
          data-testid="track-here-button"
          onClick={() => (formOpen.value = true)}
        >
          I'm here
        </button>
        <p class="muted">Tap it when you arrive: your parcel will be ready before you reach the counter.</p>
      </div>
    );
  }

  return (
    <form class="form track-here-form" onSubmit={send} data-testid="track-here-form">
      <fieldset class="track-choices">
        <legend>Where are you?</legend>
        <label class="track-choice">
          <input
            ref={first}
            type="radio"
            name="here-where"
            checked={!curbside.value}
            onChange={() => (curbside.value = false)}
          />
          <span>At the counter</span>
        </label>
        <label class="track-choice">
          <input
            type="radio"
            name="here-where"
            data-testid="track-here-curbside"
            checked={curbside.value}
            onChange={() => (curbside.value = true)}
          />
          <span>Outside in my car: bring it to me</span>
        </label>
      </fieldset>
      {curbside.value && (
        <div class="field">
          <label for="here-note">Where is your car? (optional)</label>
          <input
            id="here-note"
            type="text"
            maxLength={MAX_PARKING_NOTE}
            autoComplete="off"
            aria-describedby="here-note-help"
            value={note.value}
            onInput={(event) => (note.value = event.currentTarget.value)}
          />
          <p id="here-note-help" class="muted">
            A parking spot number, the car's colour.
          </p>
        </div>
      )}
      <label class="checkbox track-here-share">
        <input
          type="checkbox"
          checked={sharePosition.value}
          onChange={(event) => (sharePosition.value = event.currentTarget.checked)}
          data-testid="track-here-share"
        />
        <span>Share my location once, so the store sees how far away I am (only the distance is kept)</span>
      </label>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="track-actions">
        <button type="submit" class="button" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Telling the store…" : "Tell the store"}
        </button>
        <button type="button" class="button button-secondary" onClick={() => (formOpen.value = false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
