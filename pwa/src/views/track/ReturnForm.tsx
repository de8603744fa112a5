// The return form (a chunk of its own, downloaded when the customer taps "Return something"): what comes
// back, why, an optional comment and photo (the camera's code downloads only when the photo field opens),
// and how: to a store, nearest first, or a driver in a day and time window. Photos are put first by their
// SHA-256, then the return is started; the answer's code and the return's own page close the form.
import { sha256Hex } from "../../api/sha256";
import { useSignal } from "@preact/signals";
import type { FunctionComponent, TargetedSubmitEvent } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import {
  getReturnOptions,
  MAX_RETURN_COMMENT,
  MAX_RETURN_PHOTOS,
  putReturnPhoto,
  startReturn,
  type ReturnCreated,
  type ReturnMethod,
  type ReturnOptions,
} from "../../api/returns";
import type { PhotoFieldProps } from "../../components/camera/PhotoField";
import { openState, todayHoursText } from "./hours";
import { instructionsErrorMessage } from "./messages";
import { Code, WeekHours } from "./PickupCard";
import { PageLink, rememberReturn } from "./ReturnCards";
import { pickupDays, windowLabel, WINDOWS } from "./pickup-windows";
import { checkReturn } from "./return-request";
import { distanceText, reasonLabel } from "./return-wording";

type Options =
  | { status: "loading" }
  | { status: "ready"; options: ReturnOptions }
  | { status: "failed"; message: string };

/** The camera's photo field, downloaded the first time it opens. */
let photoModule: Promise<FunctionComponent<PhotoFieldProps>> | null = null;
function loadPhotoField(): Promise<FunctionComponent<PhotoFieldProps>> {
  photoModule ??= import("../../components/camera/PhotoField").then(
    (module) => module.PhotoField,
    (error: unknown) => {
      photoModule = null;
      throw error;
    },
  );
  return photoModule;
}

export function ReturnForm(props: { token: string; onClose(): void; onStarted(): void }) {
  const options = useSignal<Options>({ status: "loading" });
  const done = useSignal<ReturnCreated | null>(null);

  function load() {
    options.value = { status: "loading" };
    getReturnOptions(props.token).then(
      (answer) => (options.value = { status: "ready", options: answer }),
      (error: unknown) => (options.value = { status: "failed", message: instructionsErrorMessage(error) }),
    );
  }
  useEffect(load, [props.token]);

  if (done.value) return <Confirmation created={done.value} />;
  const state = options.value;
  switch (state.status) {
    case "loading":
      return (
        <p role="status" aria-busy="true">
          Finding what you can return…
        </p>
      );
    case "failed":
      return (
        <div class="track-return-problem">
          <p class="form-error" role="alert">
            {state.message}
          </p>
          <div class="track-actions">
            <button type="button" class="button" onClick={load}>
              Try again
            </button>
            <button type="button" class="button button-secondary" onClick={props.onClose}>
              Close
            </button>
          </div>
        </div>
      );
    case "ready":
      if (!state.options.returnable) {
        return (
          <div class="track-return-problem" data-testid="track-return-not-possible">
            <p role="alert">{state.options.why_not ?? "This order cannot be returned here."}</p>
            <button type="button" class="button button-secondary button-wide" onClick={props.onClose}>
              Close
            </button>
          </div>
        );
      }
      return (
        <Choices
          token={props.token}
          options={state.options}
          onDone={(created) => {
            rememberReturn(props.token, {
              code: created.code,
              path: pagePath(created.tracking_url),
              store_name: created.store_name,
              method: created.method,
            });
            done.value = created;
            props.onStarted();
          }}
          onClose={props.onClose}
        />
      );
  }
}

function Choices(props: {
  token: string;
  options: ReturnOptions;
  onDone(created: ReturnCreated): void;
  onClose(): void;
}) {
  const { options } = props;
  const only = options.parcels.length === 1 && options.items.length === 0 ? options.parcels : [];
  const parcels = useSignal<string[]>(only);
  const items = useSignal<Map<string, number>>(new Map());
  const reason = useSignal<string | null>(null);
  const comment = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const photoField = useSignal<FunctionComponent<PhotoFieldProps> | null>(null);
  const photoLoading = useSignal(false);
  const photoFailed = useSignal(false);
  const method = useSignal<ReturnMethod | null>(options.stores.length === 0 ? "pickup" : null);
  const storeId = useSignal<string | null>(null);
  const day = useSignal<string | null>(null);
  const part = useSignal<string | null>(null);
  const busy = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const days = useMemo(() => pickupDays(new Date()), []);
  const heading = useRef<HTMLParagraphElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (error.value) errorRef.current?.focus();
  }, [error.value]);

  function toggleParcel(barcode: string, on: boolean) {
    parcels.value = on ? [...parcels.value, barcode] : parcels.value.filter((b) => b !== barcode);
  }

  function setItem(sku: string, quantity: number) {
    const next = new Map(items.value);
    if (quantity > 0) next.set(sku, quantity);
    else next.delete(sku);
    items.value = next;
  }

  function openPhotos() {
    if (photoLoading.value) return;
    photoLoading.value = true;
    photoFailed.value = false;
    loadPhotoField().then(
      (field) => (photoField.value = field),
      (failure: unknown) => {
        console.error("The photo field could not be loaded.", failure);
        photoFailed.value = true;
      },
    ).finally(() => (photoLoading.value = false));
  }

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const checked = checkReturn(
      {
        parcels: parcels.value,
        items: items.value,
        reason: reason.value,
        comment: comment.value,
        method: method.value,
        storeId: storeId.value,
        windowId: day.value && part.value ? `${day.value}/${part.value}` : null,
      },
      days,
    );
    if (!checked.ok) {
      error.value = checked.problem;
      return;
    }
    error.value = null;
    try {
      const hashes: string[] = [];
      for (const [index, photo] of photos.value.entries()) {
        const count = photos.value.length;
        busy.value = count > 1 ? `Sending photo ${index + 1} of ${count}…` : "Sending the photo…";
        const sha256 = await sha256Hex(await photo.arrayBuffer());
        await putReturnPhoto(props.token, sha256, photo);
        hashes.push(sha256);
      }
      busy.value = "Starting the return…";
      props.onDone(await startReturn(props.token, { ...checked.request, photos: hashes }));
    } catch (failure) {
      error.value = instructionsErrorMessage(failure);
    } finally {
      busy.value = null;
    }
  }

  const PhotoField = photoField.value;
  return (
    <form class="form track-return-form" onSubmit={submit} data-testid="track-return-form" noValidate>
      <p class="muted" ref={heading} tabIndex={-1}>
        Tell us what comes back, why, and how. It takes a minute.
      </p>
      <fieldset class="track-choices">
        <legend>What are you returning?</legend>
        {options.parcels.map((barcode) => (
          <label class="track-choice" key={barcode}>
            <input
              type="checkbox"
              name="return-parcel"
              value={barcode}
              checked={parcels.value.includes(barcode)}
              onChange={(event) => toggleParcel(barcode, event.currentTarget.checked)}
            />
            <span>Parcel {barcode}</span>
          </label>
        ))}
        {options.items.map((item) => {
          const chosen = items.value.get(item.sku) ?? 0;
          return (
            <div class="track-item" key={item.sku}>
              <label class="track-choice">
                <input
                  type="checkbox"
                  name="return-item"
                  value={item.sku}
                  checked={chosen > 0}
                  onChange={(event) => setItem(item.sku, event.currentTarget.checked ? item.quantity : 0)}
                />
                <span>
                  Item {item.sku}
                  {item.quantity > 1 ? ` (${item.quantity} ordered)` : ""}
                </span>
              </label>
              {chosen > 0 && item.quantity > 1 && (
                <div class="field track-item-count">
                  <label for={`return-count-${item.sku}`}>How many of {item.sku}?</label>
                  <select
                    id={`return-count-${item.sku}`}
                    value={String(chosen)}
                    onChange={(event) => setItem(item.sku, Number(event.currentTarget.value))}
                  >
                    {Array.from({ length: item.quantity }, (_, i) => i + 1).map((n) => (
                      <option key={n} value={String(n)}>
                        {n}
                      </option>
                    ))}
                  </select>
                </div>
              )}
            </div>
          );
        })}
      </fieldset>

      <fieldset class="track-choices">
        <legend>Why are you returning it?</legend>
        {options.reasons.map((code) => (
          <label class="track-choice" key={code}>
            <input
              type="radio"
              name="return-reason"
              value={code}
              checked={reason.value === code}
              onChange={() => (reason.value = code)}
            />
            <span>{reasonLabel(code)}</span>
          </label>
        ))}
      </fieldset>

      <div class="field">
        <label for="return-comment">Anything to add? (optional)</label>
        <textarea
          id="return-comment"
          rows={3}
          maxLength={MAX_RETURN_COMMENT}
          value={comment.value}
          onInput={(event) => (comment.value = event.currentTarget.value)}
        />
      </div>

      {PhotoField ? (
        <PhotoField
          id="return"
          label="Photos (optional)"
          hint="Show the damage or the label, if it helps."
          photos={photos.value}
          onChange={(next) => (photos.value = next)}
          max={MAX_RETURN_PHOTOS}
        />
      ) : (
        <div class="track-photo-open">
          <button
            type="button"
            class="button button-secondary button-wide"
            data-testid="track-return-add-photo"
            aria-disabled={photoLoading.value ? "true" : undefined}
            onClick={openPhotos}
          >
            {photoLoading.value ? "Opening the camera…" : "Add a photo (optional)"}
          </button>
          {photoFailed.value && (
            <p class="form-error" role="alert">
              The photo field did not load. Check your connection and try again.
            </p>
          )}
        </div>
      )}

      <fieldset class="track-choices">
        <legend>How does it come back?</legend>
        {options.stores.length > 0 && (
          <label class="track-choice">
            <input
              type="radio"
              name="return-method"
              value="store_dropoff"
              data-testid="track-return-dropoff"
              checked={method.value === "store_dropoff"}
              onChange={() => (method.value = "store_dropoff")}
            />
            <span>I'll drop it at a store</span>
          </label>
        )}
        <label class="track-choice">
          <input
            type="radio"
            name="return-method"
            value="pickup"
            data-testid="track-return-pickup"
            checked={method.value === "pickup"}
            onChange={() => (method.value = "pickup")}
          />
          <span>A driver collects it from me</span>
        </label>
      </fieldset>

      {method.value === "store_dropoff" && (
        <fieldset class="track-choices" data-testid="track-return-stores">
          <legend>Which store? (nearest first)</legend>
          {options.stores.map((store) => {
            const listed = openState(store.opening_hours, new Date()).open !== null;
            return (
              <div class="track-store-option" key={store.id}>
                <label class="track-choice track-choice-rich">
                  <input
                    type="radio"
                    name="return-store"
                    value={store.id}
                    checked={storeId.value === store.id}
                    onChange={() => (storeId.value = store.id)}
                  />
                  <span class="track-choice-body">
                    <span class="track-choice-title">{store.name}</span>
                    <span>
                      {distanceText(store.distance_m)} away ·{" "}
                      {listed ? (
                        <span class={`track-open track-open-${store.open_now ? "yes" : "no"}`}>
                          {store.open_now ? "Open now" : "Closed now"}
                        </span>
                      ) : (
                        <span class="muted">Opening hours not listed</span>
                      )}
                    </span>
                    <span class="muted">{store.address}</span>
                    {listed && <span class="muted">{todayHoursText(store.opening_hours, new Date())}</span>}
                  </span>
                </label>
                {listed && <WeekHours hours={store.opening_hours} />}
              </div>
            );
          })}
        </fieldset>
      )}

      {method.value === "pickup" && (
        <>
          <fieldset class="track-choices">
            <legend>Which day?</legend>
            <div class="track-chips">
              {days.map((choice) => (
                <label class="track-chip" key={choice.date}>
                  <input
                    type="radio"
                    name="return-day"
                    value={choice.date}
                    checked={day.value === choice.date}
                    onChange={() => (day.value = choice.date)}
                  />
                  <span>{choice.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset class="track-choices">
            <legend>What time?</legend>
            {WINDOWS.map((window) => (
              <label class="track-choice" key={window.id}>
                <input
                  type="radio"
                  name="return-window"
                  value={window.id}
                  checked={part.value === window.id}
                  onChange={() => (part.value = window.id)}
                />
                <span>{windowLabel(window)}</span>
              </label>
            ))}
            <p class="muted">Times are in your device's time zone. Have it packed and ready.</p>
          </fieldset>
        </>
      )}

      {error.value && (
        <p class="form-error" role="alert" tabIndex={-1} ref={errorRef} data-testid="track-return-error">
          {error.value}
        </p>
      )}
      <div class="track-actions">
        <button
          type="submit"
          class="button"
          data-testid="track-return-submit"
          aria-disabled={busy.value ? "true" : undefined}
        >
          {busy.value ?? "Start the return"}
        </button>
        <button type="button" class="button button-secondary" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The return's own link as a path on this site (the server names it on its public address). */
function pagePath(trackingUrl: string): string {
  try {
    const url = new URL(trackingUrl, location.href);
    return url.pathname + url.search;
  } catch {
    return trackingUrl;
  }
}

function Confirmation(props: { created: ReturnCreated }) {
  const { created } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const path = pagePath(created.tracking_url);
  return (
    <div class="track-return-done" data-testid="track-return-done">
      <h3 ref={heading} tabIndex={-1}>
        Your return has started
      </h3>
      {created.method === "store_dropoff" ? (
        <p>
          Bring it to <strong>{created.store_name ?? "the store"}</strong> and show this code at the counter:
        </p>
      ) : (
        <p>A driver will collect it in the time you chose. Your return code:</p>
      )}
      <Code code={created.code} testId="track-return-done-code" />
      <PageLink class="button button-wide" path={path} testId="track-return-page">
        Open your return's page
      </PageLink>
      <p class="muted">It has the QR code for the store and shows how your return is going. Keep its link.</p>
    </div>
  );
}
