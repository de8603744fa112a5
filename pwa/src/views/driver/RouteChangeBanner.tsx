// "Your route changed": what a re-plan changed, in words, until the driver taps OK. The list under it has
// already changed; the stop the driver has open stays open (StopDetail is keyed by its stop, not its place).
import { routeChange } from "../../state/driver";
import { clock } from "./wording";

export function RouteChangeBanner() {
  const change = routeChange.value;
  if (!change) return null;
  return (
    <div class="driver-banner driver-banner-change" role="status" data-testid="route-change-banner">
      <p>
        <strong>Route changed {clock(change.at)}.</strong>{" "}
        <span data-testid="route-change-summary">{change.summary}</span>
      </p>
      <button
        type="button"
        class="button driver-banner-button"
        onClick={() => (routeChange.value = null)}
        data-testid="route-change-ok"
      >
        OK
      </button>
    </div>
  );
}
