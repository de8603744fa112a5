// The door to the driver app, in the main bundle: it checks who is signed in and only then downloads the
// app (DriverScreen.tsx and Leaflet, a chunk of their own). With the day stored on the phone it opens the app
// at once, before the server has answered (or offline): a driver in a basement still has the route.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { Link } from "../../components/Link";
import { UpdateBanner } from "../../components/UpdateBanner";
import { loadDay } from "../../offline/day";
import { session } from "../../state/session";
import { checkSession } from "../shell/session-actions";
import { roleName } from "../shell/SignedInCard";
import { SignInForm } from "../shell/SignInForm";
import { canDrive } from "./access";
import "./gate.css";

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
        <div class="driver-gate-card">
          <p class="driver-gate-intro">Sign in as a driver to see today's route.</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = canDrive(state.user.role) ? <LazyScreen user={state.user} /> : <NotForYourRole user={state.user} />;
      break;
  }

  const screenShown =
    (state.status === "signed-in" && canDrive(state.user.role)) ||
    ((state.status === "unknown-offline" || state.status === "checking") && stored.value === "yes");
  if (screenShown) return <>{content}</>;
  return (
    <>
      <UpdateBanner />
      <header class="driver-gate-header">
        <Link class="driver-gate-home" href="/">
          <img src="/icons/icon.svg" alt="" width={32} height={32} />
          <span>
            <span class="visually-hidden">Back to </span>Doorstep<span class="visually-hidden"> apps</span>
          </span>
        </Link>
        <p class="driver-gate-title">Driver</p>
      </header>
      <main class="driver-gate-main">{content}</main>
    </>
  );
}

function GateCard(props: {
  id: string;
  title: string;
  busy?: boolean;
  notice?: boolean;
  testId?: string;
  children?: ComponentChildren;
}) {
  return (
    <section
      class={props.notice ? "card notice driver-gate-card" : "card driver-gate-card"}
      aria-busy={props.busy ? "true" : undefined}
      aria-labelledby={props.id}
      data-testid={props.testId}
    >
      <h1 id={props.id} class="driver-gate-heading">
        {props.title}
      </h1>
      {props.children}
    </section>
  );
}

function NotForYourRole(props: { user: CurrentUser }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card notice driver-gate-card" aria-labelledby="driver-role" data-testid="driver-gate-role">
      <h1 id="driver-role" class="driver-gate-heading" ref={heading} tabIndex={-1}>
        The driver app is for drivers
      </h1>
      <p>
        You are signed in as {props.user.name} ({roleName(props.user.role).toLowerCase()}). Sign in with a driver's
        account to drive a route.
      </p>
      <Link class="button button-secondary button-wide" href="/">
        Back to your apps
      </Link>
    </section>
  );
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
      <main class="driver-gate-main">
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
    <main class="driver-gate-main">
      <GateCard id="driver-loading" title="Opening the driver app…" busy />
    </main>
  );
}
