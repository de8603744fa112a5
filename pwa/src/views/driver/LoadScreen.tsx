// "Load the van": every parcel the route delivers, ticked as it is scanned in at the depot (parcel.scan,
// stage "loading"). A code not on the route is said plainly, so the parcel stays at the depot.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { buzz, Scanner, type ScanResult } from "../../components/scan/Scanner";
import type { LocalDay } from "../../offline/db";
import { scanParcel } from "./driver-actions";
import { backToRoute } from "./screen-state";
import { checkLoadScan, loadList, type RouteStop } from "./stops";

export function LoadScreen(props: { day: LocalDay; stops: readonly RouteStop[] }) {
  const result = useSignal<ScanResult | null>(null);
  const missingOnly = useSignal(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const items = loadList(props.stops, props.day.local.scanned);
  const loaded = items.filter((item) => item.loaded).length;
  const routeId = props.day.route.id;

  async function scanned(code: string) {
    const check = checkLoadScan(items, props.stops, code);
    let next: ScanResult;
    switch (check.kind) {
      case "loaded": {
        try {
          await scanParcel(routeId, code, { stage: "loading", orderId: check.item.order.id });
        } catch (failure) {
          console.error("The scan could not be saved.", failure);
          result.value = { tone: "bad", text: "This phone could not save the scan. Try again." };
          return;
        }
        const where = check.item.stop
          ? `stop ${check.item.stop.number}, ${check.item.order.recipient_name}`
          : check.item.order.recipient_name;
        next = { tone: "good", text: `Loaded ✓ ${code}: ${where} (${loaded + 1} of ${items.length})` };
        break;
      }
      case "again":
        next = { tone: "info", text: `Already loaded: ${code}.` };
        break;
      case "return":
        next = {
          tone: "bad",
          text: `${code} is a return${check.stop ? ` to collect at stop ${check.stop.number}` : ""}, not a parcel to load.`,
        };
        break;
      case "unknown":
        next = { tone: "bad", text: `${code} is not on your route. Leave it at the depot.` };
        break;
    }
    result.value = next;
    buzz(next.tone);
  }

  const shown = missingOnly.value ? items.filter((item) => !item.loaded) : items;
  return (
    <section class="load" data-testid="load-screen" aria-labelledby="load-heading">
      <div class="stop-detail-top">
        <button type="button" class="button button-secondary" onClick={backToRoute} data-testid="load-back">
          ← All stops
        </button>
      </div>
      <h1 id="load-heading" class="driver-title" ref={heading} tabIndex={-1}>
        Load the van
      </h1>
      <div class="load-progress">
        <p data-testid="load-progress" data-loaded={loaded} data-total={items.length}>
          <strong>{loaded}</strong> of <strong>{items.length}</strong> parcels loaded
        </p>
        <progress max={items.length || 1} value={loaded} aria-label="Parcels loaded" />
      </div>

      <Scanner id="load-scan" label="Parcel barcode" onScan={(code) => void scanned(code)} result={result.value} />

      <div class="load-list-head">
        <h2>Parcels by stop</h2>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={missingOnly.value}
            onChange={(event) => (missingOnly.value = event.currentTarget.checked)}
          />
          Only those not loaded
        </label>
      </div>
      <p class="muted">Load the last stops first: stop 1's parcels go in last, by the door.</p>
      {shown.length === 0 ? (
        <p class="muted" data-testid="load-all-done">
          {items.length === 0 ? "This route has no parcels to load." : "Every parcel is loaded."}
        </p>
      ) : (
        <ul class="parcel-list load-list">
          {shown.map((item) => (
            <li
              key={item.barcode}
              class={item.loaded ? "parcel parcel-done" : "parcel"}
              data-testid="load-item"
              data-barcode={item.barcode}
              data-loaded={item.loaded ? "true" : "false"}
            >
              <span class="parcel-tick" aria-hidden="true">
                {item.loaded ? "✓" : ""}
              </span>
              <span class="parcel-text">
                <span class="barcode">{item.barcode}</span>
                <span class="parcel-where">
                  {item.stop ? `Stop ${item.stop.number} · ` : ""}
                  {item.order.recipient_name}
                </span>
              </span>
              <span class="visually-hidden">{item.loaded ? "loaded" : "not loaded"}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
