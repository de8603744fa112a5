// The depot's receiving desk: returns collected by drivers or dropped at stores, waiting to be received here.
// Pick the depot, look at what came back (reason, items, the customer's photos) and decide: restock (back in
// that depot's stock), repair or dispose. Refreshed on return events; the server refuses what is not receivable.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listLocations, type Location } from "../../api/planning";
import { mediaPath } from "../../api/proof";
import { listReturns, receiveReturn, type Disposition, type Return } from "../../api/store";
import { dispatchErrorMessage } from "./messages";
import { reasonText, returnItemsText } from "../store/wording";
import { chosenPlace, decidedText, receivingPlaces, returnTitle, withoutReturn } from "./returns-desk";

export const returnsToReceive = signal<Return[] | null>(null);
const places = signal<Location[]>([]);
const placeId = signal<string | null>(null);
const busy = signal<string | null>(null);
const outcome = signal<{ tone: "done" | "error"; text: string } | null>(null);

export async function loadReturnsToReceive(): Promise<void> {
  try {
    returnsToReceive.value = await listReturns("to_receive");
  } catch (error) {
    console.warn("Could not load the returns to receive.", error);
  }
}

async function loadPlaces(): Promise<void> {
  try {
    places.value = receivingPlaces((await listLocations()).items);
    placeId.value = chosenPlace(places.value, placeId.value);
  } catch (error) {
    console.warn("Could not load the depots.", error);
  }
}

async function decide(item: Return, disposition: Disposition): Promise<void> {
  const place = places.value.find((p) => p.id === placeId.value);
  if (!place || busy.value) return;
  busy.value = item.return_order_id;
  outcome.value = null;
  try {
    await receiveReturn(item.return_order_id, place.id, disposition);
    returnsToReceive.value = withoutReturn(returnsToReceive.value ?? [], item.return_order_id);
    outcome.value = { tone: "done", text: `${returnTitle(item)}: ${decidedText(disposition, place.name)}.` };
  } catch (error) {
    outcome.value = { tone: "error", text: dispatchErrorMessage(error) };
    void loadReturnsToReceive();
  } finally {
    busy.value = null;
  }
}

const CHOICES: Array<{ disposition: Disposition; label: string }> = [
  { disposition: "restock", label: "Restock" },
  { disposition: "repair", label: "Repair" },
  { disposition: "dispose", label: "Dispose" },
];

export function ReturnsPanel() {
  useEffect(() => {
    void loadReturnsToReceive();
    void loadPlaces();
  }, []);
  const items = returnsToReceive.value;
  if (!items || (items.length === 0 && !outcome.value)) return null;
  const noDepot = places.value.length === 0;
  return (
    <section class="card returns-panel" aria-labelledby="returns-heading" data-testid="returns-panel">
      <h2 id="returns-heading">Returns to receive</h2>
      {places.value.length > 1 && (
        <div class="field">
          <label for="returns-place">Receiving at</label>
          <select
            id="returns-place"
            value={placeId.value ?? ""}
            onChange={(event) => (placeId.value = event.currentTarget.value)}
            data-testid="returns-place"
          >
            {places.value.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {noDepot && <p class="muted">Add a depot to receive returns here.</p>}
      {outcome.value && (
        <p
          class={outcome.value.tone === "done" ? "returns-outcome" : "form-error"}
          role={outcome.value.tone === "done" ? "status" : "alert"}
          data-testid="returns-outcome"
        >
          {outcome.value.text}
        </p>
      )}
      <ul class="conflicts-list">
        {items.map((item) => (
          <li key={item.return_order_id} data-testid="return-item">
            <p>
              <strong>{returnTitle(item)}</strong>
            </p>
            <p>
              {reasonText(item.reason)}: {returnItemsText(item.items)}
            </p>
            {item.comment && <p class="muted">“{item.comment}”</p>}
            {item.photos.length > 0 && (
              <div class="conflict-media">
                {item.photos.map((sha) => (
                  <a href={mediaPath(sha)} target="_blank" rel="noopener noreferrer" key={sha}>
                    <img src={mediaPath(sha)} alt="The customer's photo" loading="lazy" />
                  </a>
                ))}
              </div>
            )}
            <div class="returns-actions">
              {CHOICES.map((choice) => (
                <button
                  key={choice.disposition}
                  type="button"
                  class={choice.disposition === "restock" ? "button" : "button button-secondary"}
                  aria-disabled={busy.value || noDepot ? "true" : undefined}
                  onClick={() => void decide(item, choice.disposition)}
                  data-testid={`return-${choice.disposition}`}
                >
                  {busy.value === item.return_order_id ? "Saving…" : choice.label}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
