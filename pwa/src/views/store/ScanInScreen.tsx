// Scan in: parcels arriving at the store go on a shelf. The shelf is typed once for a run of parcels (and
// kept on this device); each barcode read or typed is shelved at once, one after another, and the answer
// says whether the customer's order is now ready (they are told) or how many of its parcels are in.
import { signal, useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { scanIn, type Pickup, type Store } from "../../api/store";
import { buzz, type ScanResult } from "../../components/scan/Scanner";
import { readCode, wrongScreenText } from "./codes";
import { endSessionIf401 } from "./store-actions";
import { cleanShelf, shelfKey } from "./store-choice";
import { StoreScanner } from "./StoreScanner";
import { refusalLine, refusalOf, scanInText } from "./wording";

/** The run's last few parcels stay in sight: the clerk checks the pile against them. */
const RECENT = 6;

interface Shelved {
  barcode: string;
  tone: ScanResult["tone"];
  text: string;
  name: string | null;
}

/** The run survives a look at another tab; a new store or a new sign-in starts afresh. */
const recent = signal<Shelved[]>([]);
const result = signal<ScanResult | null>(null);
let runStoreId: string | null = null;

export function forgetRun(): void {
  runStoreId = null;
  recent.value = [];
  result.value = null;
}

function storedShelf(storeId: string): string {
  try {
    return window.localStorage.getItem(shelfKey(storeId)) ?? "";
  } catch {
    return "";
  }
}

function keepShelf(storeId: string, shelf: string): void {
  try {
    if (shelf) window.localStorage.setItem(shelfKey(storeId), shelf);
    else window.localStorage.removeItem(shelfKey(storeId));
  } catch {
    // not kept: typed again next time
  }
}

export function ScanInScreen(props: { store: Store }) {
  const { store } = props;
  if (runStoreId !== store.id) {
    runStoreId = store.id;
    recent.value = [];
    result.value = null;
  }
  const shelf = useSignal(storedShelf(store.id));
  const shelfError = useSignal<string | null>(null);
  const shelfInput = useRef<HTMLInputElement>(null);
  /** One scan-in at a time, in the order read: a quick run of parcels is not sent all at once. */
  const queue = useRef<Promise<void>>(Promise.resolve());

  function show(entry: Shelved) {
    result.value = { tone: entry.tone, text: entry.text };
    recent.value = [entry, ...recent.value.filter((r) => r.barcode !== entry.barcode)].slice(0, RECENT);
    buzz(entry.tone);
  }

  async function shelve(barcode: string, onShelf: string) {
    try {
      const pickup: Pickup = await scanIn(store.id, barcode, onShelf);
      const said = scanInText(pickup);
      show({ barcode, tone: said.tone, text: `${barcode}: ${said.text}`, name: pickup.recipient_name });
    } catch (error) {
      endSessionIf401(error);
      show({ barcode, tone: "bad", text: refusalLine(refusalOf(error)), name: null });
    }
  }

  function onScan(raw: string) {
    const wrong = wrongScreenText(readCode(raw).kind, "scan-in");
    if (wrong) {
      result.value = { tone: "bad", text: wrong };
      buzz("bad");
      return;
    }
    const onShelf = cleanShelf(shelf.value);
    if (!onShelf) {
      shelfError.value = "Write the shelf first, then scan the parcel again.";
      result.value = { tone: "bad", text: `${raw}: not shelved. Write the shelf first.` };
      buzz("bad");
      shelfInput.current?.focus();
      return;
    }
    result.value = { tone: "info", text: `${raw}: shelving on ${onShelf}…` };
    queue.current = queue.current.then(() => shelve(raw, onShelf));
  }

  return (
    <section class="store-section" aria-labelledby="scan-in-title">
      <h2 id="scan-in-title" class="store-section-title">
        Scan parcels in
      </h2>
      <div class="field scan-in-shelf">
        <label for="scan-in-shelf">Shelf</label>
        <input
          id="scan-in-shelf"
          ref={shelfInput}
          type="text"
          autocomplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={32}
          placeholder="e.g. B-04"
          aria-invalid={shelfError.value ? "true" : undefined}
          aria-describedby={shelfError.value ? "scan-in-shelf-error" : "scan-in-shelf-hint"}
          value={shelf.value}
          onInput={(event) => {
            shelf.value = event.currentTarget.value;
            shelfError.value = null;
          }}
          onBlur={() => {
            shelf.value = cleanShelf(shelf.value);
            keepShelf(store.id, shelf.value);
          }}
          data-testid="scan-in-shelf"
        />
        <p id="scan-in-shelf-hint" class="muted">
          Stays set for the next parcels: change it when you move to another shelf.
        </p>
        {shelfError.value && (
          <p id="scan-in-shelf-error" class="form-error" role="alert">
            {shelfError.value}
          </p>
        )}
      </div>
      <StoreScanner
        id="scan-in"
        label="Parcel barcode"
        startLabel="Scan parcels"
        onScan={(code) => {
          keepShelf(store.id, cleanShelf(shelf.value));
          onScan(code);
        }}
        result={result.value}
      />
      {recent.value.length > 0 && (
        <section class="scan-in-recent" aria-labelledby="scan-in-recent-title">
          <h3 id="scan-in-recent-title" class="store-subtitle">
            This run
          </h3>
          <ul class="scan-in-list" data-testid="scan-in-recent">
            {recent.value.map((entry) => (
              <li key={entry.barcode} class={`scan-in-item scan-in-item-${entry.tone}`}>
                <span class="barcode">{entry.barcode}</span>
                <span class="scan-in-name">{entry.name ?? "not shelved"}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
