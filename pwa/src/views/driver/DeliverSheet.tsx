// The proof of a hand-over (or, at a return's pickup stop, of the collection): who took it (required),
// photos, a signature, a note; the place and the time are taken by the phone. Then stop.deliver.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useRef } from "preact/hooks";
import { PhotoField } from "../../components/camera/PhotoField";
import { SignatureField } from "../../components/signature/SignatureField";
import { MediaError } from "../../offline/outbox";
import { deliver } from "./driver-actions";
import { PlaceLine, usePlace } from "./PlaceLine";
import { Sheet } from "./Sheet";
import type { RouteStop } from "./stops";
import { countText } from "./wording";

/** The server takes a name of 1 to 200 characters. */
const MAX_NAME = 200;

export interface DeliverSheetProps {
  routeId: string;
  routeStop: RouteStop;
  /** Barcodes scanned at this stop: sent with the proof. */
  scanned: readonly string[];
  onClose(): void;
  onDone(message: string): void;
}

export function DeliverSheet(props: DeliverSheetProps) {
  const { order, number, role } = props.routeStop;
  const collecting = role === "return-pickup";
  const needsId = !collecting && order?.id_check_required === true;
  const idChecked = useSignal(false);
  const idError = useSignal<string | null>(null);
  const idInput = useRef<HTMLInputElement>(null);
  const name = useSignal("");
  const note = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const signature = useSignal<Blob | null>(null);
  const busy = useSignal(false);
  const nameError = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  // No focus on the name at first: the phone's keyboard would cover the sheet before the photo and signature.
  const place = usePlace();

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const recipient = name.value.trim();
    if (!recipient) {
      nameError.value = collecting
        ? "Write the name of the person who handed the return over."
        : "Write the name of the person who took the parcel.";
      nameInput.current?.focus();
      return;
    }
    if (needsId && !idChecked.value) {
      idError.value = "This order needs photo ID: check that the name matches, then tick the box.";
      idInput.current?.focus();
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await deliver(props.routeId, props.routeStop, {
        recipientName: recipient.slice(0, MAX_NAME),
        photos: photos.value,
        signature: signature.value,
        place: await place.settled(),
        scanned: props.scanned,
        note: note.value.trim() || null,
        idChecked: needsId && idChecked.value,
      });
      props.onDone(`Stop ${number} ${collecting ? "collected" : "delivered"}.`);
    } catch (failure) {
      console.error("The delivery could not be saved.", failure);
      error.value =
        failure instanceof MediaError ? failure.message : "This phone could not save the delivery. Try again.";
    } finally {
      busy.value = false;
    }
  }

  const parcels = order?.parcels.length ?? 0;
  const id = "deliver-sheet";
  return (
    <Sheet
      id={id}
      title={collecting ? "Return collected" : "Delivered"}
      subtitle={`Stop ${number}${order ? ` · ${order.recipient_name}` : ""}`}
      onClose={props.onClose}
    >
      <form class="form sheet-form" onSubmit={submit} noValidate>
        <div class="field">
          <label for={`${id}-name`}>{collecting ? "Handed over by (required)" : "Received by (required)"}</label>
          <input
            id={`${id}-name`}
            ref={nameInput}
            name="recipient_name"
            type="text"
            autocomplete="off"
            autoCapitalize="words"
            maxLength={MAX_NAME}
            required
            aria-invalid={nameError.value ? "true" : undefined}
            aria-describedby={nameError.value ? `${id}-name-error` : undefined}
            value={name.value}
            onInput={(event) => {
              name.value = event.currentTarget.value;
              nameError.value = null;
            }}
            data-testid="deliver-name"
          />
          {order && name.value.trim() !== order.recipient_name && (
            <button
              type="button"
              class="button button-secondary chip"
              onClick={() => {
                name.value = order.recipient_name;
                nameError.value = null;
              }}
              data-testid="deliver-name-same"
            >
              {collecting ? "The customer" : "The recipient"}: {order.recipient_name}
            </button>
          )}
          {nameError.value && (
            <p id={`${id}-name-error`} class="form-error" role="alert">
              {nameError.value}
            </p>
          )}
        </div>

        {needsId && (
          <div class="field">
            <p class="sheet-hint" data-testid="deliver-id-required">
              Photo ID required. Hand over only to the named person, or to someone who can show ID.
            </p>
            <label class="checkbox">
              <input
                ref={idInput}
                type="checkbox"
                required
                checked={idChecked.value}
                aria-invalid={idError.value ? "true" : undefined}
                aria-describedby={idError.value ? `${id}-id-error` : undefined}
                onChange={(event) => {
                  idChecked.value = event.currentTarget.checked;
                  idError.value = null;
                }}
                data-testid="deliver-id-checked"
              />
              <span>I checked their photo ID</span>
            </label>
            {idError.value && (
              <p id={`${id}-id-error`} class="form-error" role="alert" data-testid="deliver-id-error">
                {idError.value}
              </p>
            )}
          </div>
        )}

        {parcels > 0 && (
          <p class={props.scanned.length >= parcels ? "muted" : "sheet-hint"} data-testid="deliver-scanned">
            {props.scanned.length >= parcels
              ? parcels === 1
                ? "The parcel is scanned."
                : `All ${parcels} parcels scanned.`
              : `${props.scanned.length} of ${countText(parcels, "parcel")} scanned. You can still confirm.`}
          </p>
        )}

        <PhotoField
          id={id}
          label="Photo (optional)"
          hint={collecting ? "The parcel as you took it." : "The parcel where you left it, or with the person."}
          photos={photos.value}
          onChange={(next) => (photos.value = next)}
        />

        <SignatureField id={id} label="Signature (optional)" onChange={(png) => (signature.value = png)} />

        <div class="field">
          <label for={`${id}-note`}>Note (optional)</label>
          <textarea
            id={`${id}-note`}
            rows={2}
            maxLength={500}
            value={note.value}
            onInput={(event) => (note.value = event.currentTarget.value)}
            data-testid="deliver-note"
          />
        </div>

        <PlaceLine place={place.current.value} />

        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button
          type="submit"
          class="button button-wide stop-action-main"
          aria-disabled={busy.value ? "true" : undefined}
          data-testid="deliver-confirm"
        >
          {busy.value ? "Saving…" : collecting ? "Confirm collection" : "Confirm delivery"}
        </button>
      </form>
    </Sheet>
  );
}
