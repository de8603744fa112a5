// "Add order": a delivery phoned in during the day. It waits for the next plan; on a day whose plan is
// published, the server's live re-planning places it and the revision notice says where.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { pickedPoint, serviceDate, timeZone } from "../../state/dispatch";
import { addOrder } from "./dispatch-actions";
import { formatLongDate } from "./format";
import { dispatchErrorMessage } from "./messages";
import { orderFromForm } from "./order-form";

/** Six decimals: about 10 cm, more than a door needs. */
function coordinate(value: number): string {
  return value.toFixed(6);
}

export function AddOrderForm() {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const announcement = useSignal("");
  const lat = useSignal("");
  const lon = useSignal("");
  const form = useRef<HTMLFormElement>(null);
  const picked = pickedPoint.value;
  const day = serviceDate.value;

  // A click on the map fills the place; typing in the fields still works without a map.
  useEffect(() => {
    if (!picked) return;
    lat.value = coordinate(picked.lat);
    lon.value = coordinate(picked.lon);
  }, [picked]);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    error.value = null;
    announcement.value = "";
    const order = orderFromForm(new FormData(event.currentTarget), day, timeZone.value);
    if (typeof order === "string") {
      error.value = order;
      return;
    }
    busy.value = true;
    try {
      await addOrder(order);
      announcement.value = `Order for ${order.recipient_name} added. It waits for a plan; on a published day, live re-planning places it.`;
      form.current?.reset();
      lat.value = "";
      lon.value = "";
      pickedPoint.value = null;
    } catch (failure) {
      error.value = dispatchErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="card" aria-labelledby="add-order-heading">
      <h2 id="add-order-heading">Add order</h2>
      <form
        ref={form}
        class="form add-order-form"
        onSubmit={submit}
        aria-describedby={error.value ? "add-order-error" : undefined}
      >
        <div class="field">
          <label for="order-recipient">Recipient</label>
          <input id="order-recipient" name="recipient_name" autocomplete="off" maxLength={200} required />
        </div>
        <div class="field">
          <label for="order-address">Address</label>
          <input id="order-address" name="address" autocomplete="off" maxLength={500} required />
        </div>
        <fieldset class="field-group">
          <legend>Place</legend>
          <p class="muted field-hint" id="order-place-hint">
            Click the map to fill these.
          </p>
          <div class="field-row">
            <div class="field">
              <label for="order-lat">Latitude</label>
              <input
                id="order-lat"
                name="lat"
                type="number"
                step="any"
                min={-90}
                max={90}
                inputMode="decimal"
                aria-describedby="order-place-hint"
                value={lat.value}
                onInput={(event) => (lat.value = event.currentTarget.value)}
                required
              />
            </div>
            <div class="field">
              <label for="order-lon">Longitude</label>
              <input
                id="order-lon"
                name="lon"
                type="number"
                step="any"
                min={-180}
                max={180}
                inputMode="decimal"
                aria-describedby="order-place-hint"
                value={lon.value}
                onInput={(event) => (lon.value = event.currentTarget.value)}
                required
              />
            </div>
          </div>
        </fieldset>
        <fieldset class="field-group">
          <legend>Time window{day ? ` on ${formatLongDate(day)}` : ""} (optional)</legend>
          <div class="field-row">
            <div class="field">
              <label for="order-window-start">From</label>
              <input id="order-window-start" name="window_start" type="time" />
            </div>
            <div class="field">
              <label for="order-window-end">To</label>
              <input id="order-window-end" name="window_end" type="time" />
            </div>
          </div>
        </fieldset>
        <div class="field-row">
          <div class="field">
            <label for="order-weight">Weight (kg)</label>
            <input id="order-weight" name="weight_kg" type="number" min={0} max={50000} step="0.1" inputMode="decimal" />
          </div>
          <div class="field">
            <label for="order-parcels">Parcels</label>
            <input id="order-parcels" name="parcel_count" type="number" min={1} max={1000} step="1" inputMode="numeric" />
          </div>
        </div>
        <label class="checkbox">
          <input name="id_check_required" type="checkbox" value="yes" data-testid="order-id-check" />
          <span>Photo ID required at hand-over</span>
        </label>
        {error.value && (
          <p id="add-order-error" class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="button button-wide" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Adding…" : "Add order"}
        </button>
      </form>
      <p class="plan-day-status" role="status">
        {announcement.value}
      </p>
    </section>
  );
}
