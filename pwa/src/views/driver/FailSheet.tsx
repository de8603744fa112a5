// A delivery (or a return's collection) that did not happen: why, in one tap, an optional note and photo,
// the place and time by the phone. Then stop.fail; dispatch re-plans the order.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { PhotoField } from "../../components/camera/PhotoField";
import { MediaError } from "../../offline/outbox";
import { fail } from "./driver-actions";
import { PlaceLine, usePlace } from "./PlaceLine";
import { Sheet } from "./Sheet";
import type { RouteStop } from "./stops";
import { FAILURE_REASONS, type FailureReason } from "./wording";

export interface FailSheetProps {
  routeId: string;
  routeStop: RouteStop;
  onClose(): void;
  onDone(message: string): void;
}

export function FailSheet(props: FailSheetProps) {
  const { order, number, role } = props.routeStop;
  const collecting = role === "return-pickup";
  const reason = useSignal<FailureReason | null>(null);
  const note = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const busy = useSignal(false);
  const reasonError = useSignal(false);
  const error = useSignal<string | null>(null);
  const place = usePlace();

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const chosen = reason.value;
    if (!chosen) {
      reasonError.value = true;
      document.getElementById("fail-reason-not_home")?.focus();
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await fail(props.routeId, props.routeStop, {
        reason: chosen,
        note: note.value.trim() || null,
        photos: photos.value,
        place: await place.settled(),
      });
      props.onDone(`Stop ${number} recorded as failed.`);
    } catch (failure) {
      console.error("The failure could not be saved.", failure);
      error.value = failure instanceof MediaError ? failure.message : "This phone could not save that. Try again.";
    } finally {
      busy.value = false;
    }
  }

  return (
    <Sheet
      id="fail-sheet"
      title={collecting ? "Could not collect" : "Could not deliver"}
      subtitle={`Stop ${number}${order ? ` · ${order.recipient_name}` : ""}`}
      onClose={props.onClose}
    >
      <form class="form sheet-form" onSubmit={submit} noValidate>
        <fieldset class="choice-group" aria-describedby={reasonError.value ? "fail-reason-error" : undefined}>
          <legend>Why? (required)</legend>
          <div class="choice-grid">
            {FAILURE_REASONS.map((option) => (
              <label
                key={option.code}
                class={reason.value === option.code ? "choice choice-on" : "choice"}
                data-testid={`fail-reason-${option.code}`}
              >
                <input
                  id={`fail-reason-${option.code}`}
                  type="radio"
                  name="reason"
                  value={option.code}
                  checked={reason.value === option.code}
                  onChange={() => {
                    reason.value = option.code;
                    reasonError.value = false;
                  }}
                />
                {option.label}
              </label>
            ))}
          </div>
          {reasonError.value && (
            <p id="fail-reason-error" class="form-error" role="alert">
              Choose why it did not happen.
            </p>
          )}
        </fieldset>

        <div class="field">
          <label for="fail-note">Note (optional)</label>
          <textarea
            id="fail-note"
            rows={2}
            maxLength={500}
            value={note.value}
            onInput={(event) => (note.value = event.currentTarget.value)}
            data-testid="fail-note"
          />
        </div>

        <PhotoField
          id="fail-sheet"
          label="Photo (optional)"
          hint="The door, the closed gate, the damage."
          photos={photos.value}
          onChange={(next) => (photos.value = next)}
        />

        <PlaceLine place={place.current.value} />

        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button
          type="submit"
          class="button button-wide button-danger stop-action-main"
          aria-disabled={busy.value ? "true" : undefined}
          data-testid="fail-confirm"
        >
          {busy.value ? "Saving…" : collecting ? "Record failed collection" : "Record failed delivery"}
        </button>
      </form>
    </Sheet>
  );
}
