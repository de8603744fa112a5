// The door to the carrier screen (CarrierScreen.tsx and its parts, a chunk of their own), for a carrier
// organization's office staff: components/gate/RoleGate.tsx checks who is signed in before the download.
import type { CurrentUser } from "../../api/auth";
import { NotForYourRole } from "../../components/gate/Gate";
import { RoleGate, screenLoader } from "../../components/gate/RoleGate";
import { canWorkAsCarrier, isCarrierOrganization } from "./access";

const loadScreen = screenLoader(() => import("./CarrierScreen").then((module) => module.CarrierScreen));

export function CarrierGate() {
  return (
    <RoleGate
      title="Carrier"
      id="carrier"
      allowed={canWorkAsCarrier}
      load={loadScreen}
      what="The carrier screen"
      offlineText="Your orders need the connection to Doorstep. This page checks again when it is back."
      signInIntro="Sign in with your courier company's account to see the orders shippers gave you."
      loadingTitle="Opening your orders…"
      failedTitle="The carrier screen did not load"
      notForYou={notForYou}
    />
  );
}

function notForYou(user: CurrentUser) {
  return isCarrierOrganization(user) ? (
    <NotForYourRole
      user={user}
      id="carrier-role"
      testId="carrier-gate-role"
      title="The carrier screen is for your office"
      advice="Dispatchers and administrators of your courier company record pickups and deliveries here."
    />
  ) : (
    <NotForYourRole
      user={user}
      id="carrier-role"
      testId="carrier-gate-role"
      title="The carrier screen is for courier companies"
      advice="Shippers give orders to carriers; this screen is where a carrier's own staff work them."
    />
  );
}
