// The store's scanner: the shared camera scanner (components/scan), started with one big button the first
// time on a device and at once after that (the counter's tablet has the camera allowed), and a field to
// type the code for a phone screen the camera cannot read.
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { cleanBarcode } from "../../components/scan/formats";
import { Scanner, type ScanResult } from "../../components/scan/Scanner";
import { CAMERA_KEY } from "./store-choice";

function cameraRemembered(): boolean {
  try {
    return window.localStorage.getItem(CAMERA_KEY) === "on";
  } catch {
    return false;
  }
}

function rememberCamera(): void {
  try {
    window.localStorage.setItem(CAMERA_KEY, "on");
  } catch {
    // not kept: the big button shows again next time
  }
}

export interface StoreScannerProps {
  id: string;
  /** What is scanned, as the typed field's label says it: "Pickup code", "Parcel barcode". */
  label: string;
  /** The big button's words: "Scan customer's code". */
  startLabel: string;
  onScan(code: string, how: "camera" | "typed"): void;
  result?: ScanResult | null;
}

export function StoreScanner(props: StoreScannerProps) {
  const started = useSignal(cameraRemembered());
  if (started.value) {
    return <Scanner id={props.id} label={props.label} onScan={props.onScan} result={props.result ?? null} autoStart />;
  }
  return (
    <div class="scanner store-scanner" data-testid="scanner">
      <button
        type="button"
        class="button button-wide store-scan-start"
        onClick={() => {
          rememberCamera();
          started.value = true;
        }}
        data-testid="scan-start-camera"
      >
        <CameraIcon />
        {props.startLabel}
      </button>
      <p
        class={props.result ? `scan-result scan-result-${props.result.tone}` : "scan-result"}
        role="status"
        data-testid="scan-result"
      >
        {props.result?.text ?? ""}
      </p>
      <TypedCode id={props.id} label={props.label} onCode={(code) => props.onScan(code, "typed")} />
    </div>
  );
}

/** The typed fallback, as the shared scanner has it: Enter or "Check" sends the code. */
function TypedCode(props: { id: string; label: string; onCode(code: string): void }) {
  const typed = useSignal("");
  const input = useRef<HTMLInputElement>(null);
  function submit() {
    const code = cleanBarcode(typed.value);
    if (!code) {
      input.current?.focus();
      return;
    }
    typed.value = "";
    props.onCode(code);
  }
  const fieldId = `${props.id}-code`;
  return (
    <div class="scan-typed field">
      <label for={fieldId}>Or type the {props.label.toLowerCase()}</label>
      <div class="scan-typed-row">
        <input
          id={fieldId}
          ref={input}
          type="text"
          autocomplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          enterKeyHint="done"
          data-testid="scan-manual-input"
          value={typed.value}
          onInput={(event) => (typed.value = event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button type="button" class="button" data-testid="scan-manual-submit" onClick={submit}>
          Check
        </button>
      </div>
    </div>
  );
}

function CameraIcon() {
  return (
    <svg class="store-scan-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9Zm3 5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9Zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5Z"
      />
    </svg>
  );
}
