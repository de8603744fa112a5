// The door to the driver app, in the main bundle: it checks who is signed in and only then downloads the
// app (DriverScreen.tsx and Leaflet, a chunk of their own). With the day stored on the phone it opens the app
// at once, before the server has answered (or offline): a driver in a basement still has the route.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { GateCard, GateFrame, NotForYourRole } from "../../components/gate/Gate";
import { loadDay } from "../../offline/day";
import { session } from "../../state/session";
import { checkSession } from "../shell/session-actions";
import { SignInForm } from "../shell/SignInForm";
import { canDrive } from "./access";

type Screen = FunctionComponent<{ user: CurrentUser | null }>;

/** One download per page, shared by every mount; a failed one is forgotten so "Try again" refetches. */
let screenModule: Promise<Screen> | null = null;
function loadScreen(): Promise<Screen> {
  screenModule ??= import("./DriverScreen").then(
    (module) => module.DriverScreen,
    (error: unknown) => {
      screenModule = null;
      throw error;
    },
  );
  return screenModule;
}

/** Whether the phone holds a day to open without the server: asked once the session check says offline. */
type StoredDay = "unknown" | "looking" | "yes" | "no";

export function DriverGate() {
  useEffect(() => {
    document.title = "Driver · Doorstep";
  }, []);
  const state = session.value;
  const stored = useSignal<StoredDay>("unknown");

  useEffect(() => {
    // Looked up while the sign-in check is still out too: a server that connects but never answers must not
    // keep a driver with the day on the phone waiting.
    if ((state.status !== "unknown-offline" && state.status !== "checking") || stored.value !== "unknown") return;
    stored.value = "looking";
    loadDay().then(
      (found) => (stored.value = found ? "yes" : "no"),
      (error: unknown) => {
        console.error("The stored day could not be read.", error);
        stored.value = "no";
      },
    );
  }, [state.status]);

  let content: ComponentChildren;
  switch (state.status) {
    case "checking":
      content =
        stored.value === "yes" ? (
          <LazyScreen user={null} />
        ) : (
          <GateCard id="driver-checking" title="Checking your sign-in…" busy />
        );
      break;
    case "unknown-offline":
      content =
        stored.value === "yes" ? (
          // the same element as when signed in, so the app stays as it is when the check comes back
          <LazyScreen user={null} />
        ) : stored.value === "no" ? (
          <GateCard id="driver-offline" title="You're offline" notice testId="driver-gate-offline">
            <p>
              Today's route is not on this phone yet. Connect once to sign in and download it; after that it works
              offline.
            </p>
            <button type="button" class="button button-wide" onClick={() => void checkSession()}>
              Try again
            </button>
          </GateCard>
        ) : (
          <GateCard id="driver-looking" title="Opening your route…" busy />
        );
      break;
    case "signed-out":
      content = (
        <div class="app-gate-card">
          <p class="app-gate-intro">Sign in as a driver to see today's route.</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = canDrive(state.user.role) ? (
        <LazyScreen user={state.user} />
      ) : (
        <NotForYourRole
          user={state.user}
          id="driver-role"
          testId="driver-gate-role"
          title="The driver app is for drivers"
          advice="Sign in with a driver's account to drive a route."
        />
      );
      break;
  }

  const screenShown =
    (state.status === "signed-in" && canDrive(state.user.role)) ||
    ((state.status === "unknown-offline" || state.status === "checking") && stored.value === "yes");
  if (screenShown) return <>{content}</>;
  return <GateFrame title="Driver">{content}</GateFrame>;
}

function LazyScreen(props: { user: CurrentUser | null }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    loadScreen().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error("The driver app could not be loaded.", error);
        failed.value = true;
      },
    );
  }
  useEffect(load, []);

  if (screen.value) {
    const Screen = screen.value.component;
    return <Screen user={props.user} />;
  }
  if (failed.value) {
    return (
      <main class="app-gate-main">
        <GateCard id="driver-load-failed" title="The driver app did not load" notice>
          <p>Check the connection to Doorstep, then try again.</p>
          <button type="button" class="button button-wide" onClick={load}>
            Try again
          </button>
        </GateCard>
      </main>
    );
  }
  return (
    <main class="app-gate-main">
      <GateCard id="driver-loading" title="Opening the driver app…" busy />
    </main>
  );
}
