// The door to the store screens, in the main bundle: it checks who is signed in and only then downloads the
// screens (StoreScreen.tsx and its parts, a chunk of their own; the barcode reader and the signature pad
// come later still, when a scanner or a signature first shows).
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { Link } from "../../components/Link";
import { UpdateBanner } from "../../components/UpdateBanner";
import { session } from "../../state/session";
import { checkSession } from "../shell/session-actions";
import { roleName } from "../shell/SignedInCard";
import { SignInForm } from "../shell/SignInForm";
import { canServeStore } from "./access";
import "./gate.css";

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
        <div class="store-gate-card">
          <p class="store-gate-intro">Sign in with your store account to serve customers at the counter.</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = <NotForYourRole user={state.user} />;
      break;
  }
  return <GateFrame>{content}</GateFrame>;
}

function GateFrame(props: { children: ComponentChildren }) {
  return (
    <>
      <UpdateBanner />
      <header class="store-gate-header">
        <Link class="store-gate-home" href="/">
          <img src="/icons/icon.svg" alt="" width={32} height={32} />
          <span>
            <span class="visually-hidden">Back to </span>Doorstep<span class="visually-hidden"> apps</span>
          </span>
        </Link>
        <p class="store-gate-title">Store</p>
      </header>
      <main class="store-gate-main">{props.children}</main>
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
      class={props.notice ? "card notice store-gate-card" : "card store-gate-card"}
      aria-busy={props.busy ? "true" : undefined}
      aria-labelledby={props.id}
      data-testid={props.testId}
    >
      <h1 id={props.id} class="store-gate-heading">
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
    <section class="card notice store-gate-card" aria-labelledby="store-role" data-testid="store-gate-role">
      <h1 id="store-role" class="store-gate-heading" ref={heading} tabIndex={-1}>
        The store screens are for store staff
      </h1>
      <p>
        You are signed in as {props.user.name} ({roleName(props.user.role).toLowerCase()}). Sign in with a store
        account, or ask an administrator to add you to a store's staff.
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
    <GateFrame>
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
