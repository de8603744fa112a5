// The "Update available — reload" banner; shown only while a new version waits for the user's OK.
import { acceptUpdate } from "../offline/sw-bridge";
import { updateReady } from "../state/update";

export function UpdateBanner() {
  if (!updateReady.value) return null;
  return (
    <div class="update-banner" role="status">
      <p>Update available</p>
      <button type="button" class="button update-banner-button" onClick={acceptUpdate}>
        Reload
      </button>
    </div>
  );
}
