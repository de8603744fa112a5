// Scanning at a stop: each parcel is checked against this stop's order ("Right parcel", or which stop it is
// for), and a right one is recorded (parcel.scan, stage "stop") and ticked.
import { useSignal } from "@preact/signals";
import { buzz, Scanner, type ScanResult } from "../../components/scan/Scanner";
import { scanParcel } from "./driver-actions";
import { Sheet } from "./Sheet";
import { checkAtStop, type RouteStop } from "./stops";

export interface ScanSheetProps {
  routeId: string;
  routeStop: RouteStop;
  stops: readonly RouteStop[];
  scannedHere: readonly string[];
  onClose(): void;
}

export function ScanSheet(props: ScanSheetProps) {
  const { number, order } = props.routeStop;
  const result = useSignal<ScanResult | null>(null);
  const total = order?.parcels.length ?? 0;

  async function scanned(code: string) {
    const check = checkAtStop(props.stops, props.routeStop.stop.id, code);
    let next: ScanResult;
    if (check.kind === "right") {
      const already = props.scannedHere.includes(code);
      if (!already) {
        try {
          await scanParcel(props.routeId, code, { stage: "stop", stop: props.routeStop });
        } catch (failure) {
          console.error("The scan could not be saved.", failure);
          result.value = { tone: "bad", text: "This phone could not save the scan. Try again." };
          return;
        }
      }
      const count = props.scannedHere.length + (already ? 0 : 1);
      next = { tone: "good", text: `Right parcel ✓ ${code} (${Math.min(count, total)} of ${total})` };
    } else if (check.kind === "other-stop") {
      const who = check.stop.order?.recipient_name ?? "another customer";
      next = { tone: "bad", text: `This parcel is for stop ${check.stop.number}, ${who}.` };
    } else {
      next = { tone: "bad", text: `${code} is not on your route.` };
    }
    result.value = next;
    buzz(next.tone);
  }

  return (
    <Sheet
      id="scan-sheet"
      title="Scan parcels"
      subtitle={`Stop ${number}${order ? ` · ${order.recipient_name}` : ""}`}
      onClose={props.onClose}
    >
      <div class="sheet-form">
        <Scanner id="stop-scan" label="Parcel barcode" onScan={(code) => void scanned(code)} result={result.value} />
        <p class="muted" data-testid="scan-sheet-count">
          {props.scannedHere.length} of {total} scanned here.
        </p>
        <button type="button" class="button button-wide" onClick={props.onClose} data-testid="scan-sheet-done">
          Done
        </button>
      </div>
    </Sheet>
  );
}
