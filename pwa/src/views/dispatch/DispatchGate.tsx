// The door to the dispatch screen, in the main bundle: it checks who is signed in and only then
// downloads the screen (DispatchScreen.tsx and Leaflet, a chunk of its own) for the roles it is for.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { Link } from "../../components/Link";
import { UpdateBanner } from "../../components/UpdateBanner";
import { session } from "../../state/session";
import { requestErrorMessage } from "../shell/messages";
import { checkSession, signOutNow } from "../shell/session-actions";
import { roleName } from "../shell/SignedInCard";
import { SignInForm } from "../shell/SignInForm";
import { canDispatch } from "./access";
import "./gate.css";

type Screen = FunctionComponent<{ user: CurrentUser }>;

/** One download per page, shared by every mount; a failed one is forgotten so "Try again" refetches. */
let screenModule: Promise<Screen> | null = null;
function loadScreen(): Promise<Screen> {
  screenModule ??= import("./DispatchScreen").then(
    (module) => module.DispatchScreen,
    (error: unknown) => {
      screenModule = null;
      throw error;
    },
  );
  return screenModule;
}

export function DispatchGate() {
  useEffect(() => {
    document.title = "Dispatch · Doorstep";
  }, []);
  const state = session.value;
  const user = state.status === "signed-in" ? state.user : null;

  let content: ComponentChildren;
  switch (state.status) {
    case "checking":
      content = (
        <section class="card gate-card" aria-busy="true" aria-labelledby="gate-checking">
          <h2 id="gate-checking">Checking your sign-in…</h2>
        </section>
      );
      break;
    case "unknown-offline":
      content = (
        <section class="card notice gate-card" aria-labelledby="gate-offline">
          <h2 id="gate-offline">You're offline</h2>
          <p>Planning needs the connection to Doorstep. This page checks again when it is back.</p>
          <button type="button" class="button button-secondary button-wide" onClick={() => void checkSession()}>
            Try again
          </button>
        </section>
      );
      break;
    case "signed-out":
      content = (
        <div class="gate-card">
          <p class="gate-intro">Sign in as a dispatcher or administrator to plan the day's routes.</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = canDispatch(state.user.role) ? <LazyScreen user={state.user} /> : <NotForYourRole user={state.user} />;
      break;
  }

  return (
    <>
      <UpdateBanner />
      <DispatchHeader user={user} />
      <main id="dispatch-main" class="dispatch-page" tabIndex={-1}>
        {content}
      </main>
    </>
  );
}

function DispatchHeader(props: { user: CurrentUser | null }) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  async function signOut() {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await signOutNow();
    } catch (failure) {
      error.value = requestErrorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <header class="dispatch-header">
      <div class="dispatch-header-inner">
        <Link class="dispatch-home" href="/">
          <img src="/icons/icon.svg" alt="" width={32} height={32} />
          <span>
            <span class="visually-hidden">Back to </span>Doorstep<span class="visually-hidden"> apps</span>
          </span>
        </Link>
        <h1 class="dispatch-title">Dispatch</h1>
        {props.user && (
          <div class="dispatch-who">
            <p>
              <span class="dispatch-who-name">{props.user.name}</span>{" "}
              <span class="dispatch-who-role">{roleName(props.user.role)}</span>
            </p>
            <button
              type="button"
              class="button dispatch-sign-out"
              onClick={signOut}
              aria-disabled={busy.value ? "true" : undefined}
            >
              {busy.value ? "Signing out…" : "Sign out"}
            </button>
          </div>
        )}
      </div>
      {error.value && (
        <p class="form-error dispatch-header-error" role="alert">
          {error.value}
        </p>
      )}
    </header>
  );
}

function NotForYourRole(props: { user: CurrentUser }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card notice gate-card" aria-labelledby="gate-role">
      <h2 id="gate-role" ref={heading} tabIndex={-1}>
        Dispatch is not for your role
      </h2>
      <p>
        You are signed in as {props.user.name} ({roleName(props.user.role).toLowerCase()}). Planning routes is for
        dispatchers and administrators; ask one of them if you need it.
      </p>
      <Link class="button button-secondary button-wide" href="/">
        Back to your apps
      </Link>
    </section>
  );
}

function LazyScreen(props: { user: CurrentUser }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    loadScreen().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error("The dispatch screen could not be loaded.", error);
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
      <section class="card notice gate-card" aria-labelledby="gate-load-failed">
        <h2 id="gate-load-failed">The dispatch screen did not load</h2>
        <p>Check the connection to Doorstep, then try again.</p>
        <button type="button" class="button button-wide" onClick={() => window.location.reload()}>
          Try again
        </button>
      </section>
    );
  }
  return (
    <section class="card gate-card" aria-busy="true" aria-labelledby="gate-loading">
      <h2 id="gate-loading">Opening dispatch…</h2>
    </section>
  );
}
