// A return the customer hands over at a delivery stop (not a planned return pickup): its barcode, scanned
// or typed, its condition, a photo. Then stop.collect_return; the stop stays open for the delivery.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { PhotoField } from "../../components/camera/PhotoField";
import { buzz, Scanner, type ScanResult } from "../../components/scan/Scanner";
import { MediaError } from "../../offline/outbox";
import { collectReturn } from "./driver-actions";
import { Sheet } from "./Sheet";
import { checkAtStop, type RouteStop } from "./stops";
import { RETURN_CONDITIONS, type ReturnCondition } from "./wording";

export interface ReturnSheetProps {
  routeId: string;
  routeStop: RouteStop;
  stops: readonly RouteStop[];
  onClose(): void;
  onDone(message: string): void;
}

export function ReturnSheet(props: ReturnSheetProps) {
  const { number, order } = props.routeStop;
  const barcode = useSignal<string | null>(null);
  const result = useSignal<ScanResult | null>(null);
  const condition = useSignal<ReturnCondition>("intact");
  const note = useSignal("");
  const photos = useSignal<Blob[]>([]);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  function scanned(code: string) {
    const check = checkAtStop(props.stops, props.routeStop.stop.id, code);
    // a parcel the van delivers is not a return: the driver has the wrong one in hand
    const owner = check.kind === "right" ? props.routeStop : check.kind === "other-stop" ? check.stop : null;
    if (owner?.order?.kind === "delivery") {
      const where = check.kind === "right" ? "this stop" : `stop ${owner.number}, ${owner.order.recipient_name}`;
      result.value = { tone: "bad", text: `${code} is a parcel to deliver (${where}), not a return.` };
      buzz("bad");
      return;
    }
    barcode.value = code;
    result.value = null;
    buzz("good");
  }

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const code = barcode.value;
    if (!code) {
      error.value = "Scan or type the return's barcode first.";
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await collectReturn(props.routeId, props.routeStop, {
        barcode: code,
        condition: condition.value,
        photos: photos.value,
        note: note.value.trim() || null,
      });
      props.onDone(`Return ${code} collected at stop ${number}.`);
    } catch (failure) {
      console.error("The return could not be saved.", failure);
      error.value =
        failure instanceof MediaError ? failure.message : "This phone could not save the return. Try again.";
    } finally {
      busy.value = false;
    }
  }

  return (
    <Sheet
      id="return-sheet"
      title="Collect a return"
      subtitle={`Stop ${number}${order ? ` · ${order.recipient_name}` : ""}`}
      onClose={props.onClose}
    >
      <form class="form sheet-form" onSubmit={submit} noValidate>
        {barcode.value === null ? (
          <Scanner id="return-scan" label="Return barcode" onScan={scanned} result={result.value} />
        ) : (
          <div class="scanned-code" data-testid="return-barcode">
            <p>
              Return barcode: <span class="barcode">{barcode.value}</span>
            </p>
            <button type="button" class="button button-secondary" onClick={() => (barcode.value = null)}>
              Scan again
            </button>
          </div>
        )}

        <fieldset class="choice-group">
          <legend>Condition</legend>
          <div class="choice-grid choice-grid-3">
            {RETURN_CONDITIONS.map((option) => (
              <label
                key={option.code}
                class={condition.value === option.code ? "choice choice-on" : "choice"}
                data-testid={`return-condition-${option.code}`}
              >
                <input
                  type="radio"
                  name="condition"
                  value={option.code}
                  checked={condition.value === option.code}
                  onChange={() => (condition.value = option.code)}
                />
                {option.label}
              </label>
            ))}
          </div>
        </fieldset>

        <PhotoField
          id="return-sheet"
          label="Photo (optional)"
          hint="The parcel as you took it."
          photos={photos.value}
          onChange={(next) => (photos.value = next)}
        />

        <div class="field">
          <label for="return-note">Note (optional)</label>
          <textarea
            id="return-note"
            rows={2}
            maxLength={500}
            value={note.value}
            onInput={(event) => (note.value = event.currentTarget.value)}
          />
        </div>

        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button
          type="submit"
          class="button button-wide stop-action-main"
          aria-disabled={busy.value ? "true" : undefined}
          data-testid="return-confirm"
        >
          {busy.value ? "Saving…" : "Record the return"}
        </button>
      </form>
    </Sheet>
  );
}
