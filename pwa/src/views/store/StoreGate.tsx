// The door to the store screens (StoreScreen.tsx and its parts, a chunk of their own; the barcode reader and
// the signature pad come later still, when a scanner or a signature first shows), for store staff:
// components/gate/RoleGate.tsx checks who is signed in before the download.
import type { CurrentUser } from "../../api/auth";
import { NotForYourRole } from "../../components/gate/Gate";
import { RoleGate, screenLoader } from "../../components/gate/RoleGate";
import { canServeStore } from "./access";

const loadScreen = screenLoader(() => import("./StoreScreen").then((module) => module.StoreScreen));

export function StoreGate() {
  return (
    <RoleGate
      title="Store"
      id="store"
      allowed={(user) => canServeStore(user.role)}
      load={loadScreen}
      what="The store screens"
      offlineText="The counter needs the connection to Doorstep. This page checks again when it is back."
      signInIntro="Sign in with your store account to serve customers at the counter."
      loadingTitle="Opening the counter…"
      failedTitle="The store screens did not load"
      notForYou={notForYou}
    />
  );
}

function notForYou(user: CurrentUser) {
  return (
    <NotForYourRole
      user={user}
      id="store-role"
      testId="store-gate-role"
      title="The store screens are for store staff"
      advice="Sign in with a store account, or ask an administrator to add you to a store's staff."
    />
  );
}
