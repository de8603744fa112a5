// Actions dispatch refused for good (a stop cancelled while the driver was offline, given to another driver):
// each in a sentence, with a dismiss. The server kept the proof for the dispatcher; the phone forgets it here.
import { useSignal } from "@preact/signals";
import { dismissRejected } from "../../offline/outbox";
import { rejected } from "../../state/driver";
import { stopLabel } from "./stop-labels";
import { rejectedHeading, rejectedText } from "./wording";

export function RejectedBanner() {
  const list = rejected.value;
  const busy = useSignal(false);
  if (list.length === 0) return null;

  async function dismissAll() {
    if (busy.value) return;
    busy.value = true;
    try {
      for (const entry of list) await dismissRejected(entry.command.id);
    } finally {
      busy.value = false;
    }
  }

  return (
    <section
      class="driver-banner driver-banner-rejected"
      role="alert"
      aria-labelledby="rejected-heading"
      data-testid="rejected-banner"
    >
      <div class="driver-banner-text">
        <h2 id="rejected-heading" class="driver-banner-title">
          {rejectedHeading(list.length)}:
        </h2>
        <ul class="driver-rejected-list">
          {list.map((entry) => (
            <li key={entry.command.id} data-testid="rejected-item" data-reason={entry.reason}>
              {rejectedText(entry, stopLabel(entry.command.stop_id, entry.command.order_id))}
            </li>
          ))}
        </ul>
      </div>
      <button
        type="button"
        class="button driver-banner-button"
        onClick={() => void dismissAll()}
        aria-disabled={busy.value ? "true" : undefined}
        data-testid="rejected-dismiss"
      >
        {list.length === 1 ? "Dismiss" : "Dismiss all"}
      </button>
    </section>
  );
}
