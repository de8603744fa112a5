// The door to the carrier screen, in the main bundle: it checks who is signed in and only then downloads the
// screen (CarrierScreen.tsx and its parts, a chunk of their own) for a carrier organization's office staff.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { GateCard, GateFrame, NotForYourRole } from "../../components/gate/Gate";
import { session } from "../../state/session";
import { checkSession } from "../shell/session-actions";
import { SignInForm } from "../shell/SignInForm";
import { canWorkAsCarrier, isCarrierOrganization } from "./access";

type Screen = FunctionComponent<{ user: CurrentUser }>;

/** One download per page, shared by every mount; a failed one is forgotten so "Try again" refetches. */
let screenModule: Promise<Screen> | null = null;
function loadScreen(): Promise<Screen> {
  screenModule ??= import("./CarrierScreen").then(
    (module) => module.CarrierScreen,
    (error: unknown) => {
      screenModule = null;
      throw error;
    },
  );
  return screenModule;
}

export function CarrierGate() {
  useEffect(() => {
    document.title = "Carrier · Doorstep";
  }, []);
  const state = session.value;

  if (state.status === "signed-in" && canWorkAsCarrier(state.user)) return <LazyScreen user={state.user} />;

  let content: ComponentChildren;
  switch (state.status) {
    case "checking":
      content = <GateCard id="carrier-checking" title="Checking your sign-in…" busy />;
      break;
    case "unknown-offline":
      content = (
        <GateCard id="carrier-offline" title="You're offline" notice testId="carrier-gate-offline">
          <p>Your orders need the connection to Doorstep. This page checks again when it is back.</p>
          <button type="button" class="button button-wide" onClick={() => void checkSession()}>
            Try again
          </button>
        </GateCard>
      );
      break;
    case "signed-out":
      content = (
        <div class="app-gate-card">
          <p class="app-gate-intro">
            Sign in with your courier company's account to see the orders shippers gave you.
          </p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = isCarrierOrganization(state.user) ? (
        <NotForYourRole
          user={state.user}
          id="carrier-role"
          testId="carrier-gate-role"
          title="The carrier screen is for your office"
          advice="Dispatchers and administrators of your courier company record pickups and deliveries here."
        />
      ) : (
        <NotForYourRole
          user={state.user}
          id="carrier-role"
          testId="carrier-gate-role"
          title="The carrier screen is for courier companies"
          advice="Shippers give orders to carriers; this screen is where a carrier's own staff work them."
        />
      );
      break;
  }
  return <GateFrame title="Carrier">{content}</GateFrame>;
}

function LazyScreen(props: { user: CurrentUser }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    loadScreen().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error("The carrier screen could not be loaded.", error);
        failed.value = true;
      },
    );
  }
  useEffect(load, []);

  if (screen.value) {
    const Screen = screen.value.component;
    return <Screen user={props.user} />;
  }
  return (
    <GateFrame title="Carrier">
      {failed.value ? (
        <GateCard id="carrier-load-failed" title="The carrier screen did not load" notice>
          <p>Check the connection to Doorstep, then try again.</p>
          <button type="button" class="button button-wide" onClick={load}>
            Try again
          </button>
        </GateCard>
      ) : (
        <GateCard id="carrier-loading" title="Opening your orders…" busy />
      )}
    </GateFrame>
  );
}
