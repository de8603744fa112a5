// The bar always at the top of the driver screen: online or not, actions waiting to sync, the last sync,
// and whether the driver's location is being shared. The words say it; colour only repeats it. Two slim
// rows: the only button here is "Sync now", and only while something waits and the network is there.
import { useSignal } from "@preact/signals";
import { syncNow } from "../../offline/sync";
import { sharingState, syncStatus } from "../../state/driver";
import { lastSyncText, pendingText, sharingText } from "./wording";

export function StatusBar() {
  const status = syncStatus.value;
  const sharing = sharingState.value;
  const asked = useSignal(false);

  async function sync() {
    if (asked.value) return;
    asked.value = true;
    try {
      await syncNow();
    } finally {
      asked.value = false;
    }
  }

  const busy = status.syncing || asked.value;
  const waiting = status.pending > 0;
  return (
    <div class={status.online ? "driver-status" : "driver-status driver-status-offline"} data-testid="driver-status">
      <div class="driver-status-row">
        <p
          class="driver-status-item"
          data-testid="status-online"
          data-online={status.online ? "true" : "false"}
          aria-live="polite"
        >
          <span class={status.online ? "status-dot status-dot-on" : "status-dot status-dot-off"} aria-hidden="true" />
          {status.online ? "Online" : "Offline"}
        </p>
        <p
          class={`driver-status-item status-sharing status-sharing-${sharing}`}
          data-testid="status-location"
          data-state={sharing}
        >
          {sharingText(sharing)}
        </p>
      </div>
      <div class="driver-status-row">
        <p class="driver-status-item">
          <span
            class={waiting ? "status-pending status-pending-waiting" : "status-pending"}
            data-testid="status-pending"
            data-pending={status.pending}
          >
            {pendingText(status.pending)}
          </span>
          <span class="status-last-sync" data-testid="status-last-sync">
            {busy && waiting ? "syncing…" : lastSyncText(status.lastSyncAt)}
          </span>
        </p>
        {waiting && status.online && (
          <button
            type="button"
            class="button driver-status-button"
            onClick={() => void sync()}
            aria-disabled={busy ? "true" : undefined}
            data-testid="sync-now"
          >
            Sync now
          </button>
        )}
      </div>
      {status.lastError && waiting && status.online && (
        <p class="driver-status-error" data-testid="status-error">
          {status.lastError}
        </p>
      )}
    </div>
  );
}
