// The door to the store screens, in the main bundle: it checks who is signed in and only then downloads the
// screens (StoreScreen.tsx and its parts, a chunk of their own; the barcode reader and the signature pad
// come later still, when a scanner or a signature first shows).
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { GateCard, GateFrame, NotForYourRole } from "../../components/gate/Gate";
import { session } from "../../state/session";
import { checkSession } from "../shell/session-actions";
import { SignInForm } from "../shell/SignInForm";
import { canServeStore } from "./access";

type Screen = FunctionComponent<{ user: CurrentUser }>;

/** One download per page, shared by every mount; a failed one is forgotten so "Try again" refetches. */
let screenModule: Promise<Screen> | null = null;
function loadScreen(): Promise<Screen> {
  screenModule ??= import("./StoreScreen").then(
    (module) => module.StoreScreen,
    (error: unknown) => {
      screenModule = null;
      throw error;
    },
  );
  return screenModule;
}

export function StoreGate() {
  useEffect(() => {
    document.title = "Store · Doorstep";
  }, []);
  const state = session.value;

  if (state.status === "signed-in" && canServeStore(state.user.role)) return <LazyScreen user={state.user} />;

  let content: ComponentChildren;
  switch (state.status) {
    case "checking":
      content = <GateCard id="store-checking" title="Checking your sign-in…" busy />;
      break;
    case "unknown-offline":
      content = (
        <GateCard id="store-offline" title="You're offline" notice testId="store-gate-offline">
          <p>The counter needs the connection to Doorstep. This page checks again when it is back.</p>
          <button type="button" class="button button-wide" onClick={() => void checkSession()}>
            Try again
          </button>
        </GateCard>
      );
      break;
    case "signed-out":
      content = (
        <div class="app-gate-card">
          <p class="app-gate-intro">Sign in with your store account to serve customers at the counter.</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = (
        <NotForYourRole
          user={state.user}
          id="store-role"
          testId="store-gate-role"
          title="The store screens are for store staff"
          advice="Sign in with a store account, or ask an administrator to add you to a store's staff."
        />
      );
      break;
  }
  return <GateFrame title="Store">{content}</GateFrame>;
}

function LazyScreen(props: { user: CurrentUser }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    loadScreen().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error("The store screens could not be loaded.", error);
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
    <GateFrame title="Store">
      {failed.value ? (
        <GateCard id="store-load-failed" title="The store screens did not load" notice>
          <p>Check the connection to Doorstep, then try again.</p>
          <button type="button" class="button button-wide" onClick={load}>
            Try again
          </button>
        </GateCard>
      ) : (
        <GateCard id="store-loading" title="Opening the counter…" busy />
      )}
    </GateFrame>
  );
}
