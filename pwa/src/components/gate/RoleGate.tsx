// A screen's door, in the main bundle: it checks who is signed in and only then downloads the screen (a chunk
// of its own) for the people it is for; everyone else gets the sign-in form, an offline notice or a plain
// "not for your role" card. The store and carrier screens use it.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { session } from "../../state/session";
import { checkSession } from "../../views/shell/session-actions";
import { SignInForm } from "../../views/shell/SignInForm";
import { GateCard, GateFrame } from "./Gate";

export type Screen = FunctionComponent<{ user: CurrentUser }>;

/** One download per page, shared by every mount; a failed one is forgotten so "Try again" fetches again. */
export function screenLoader(load: () => Promise<Screen>): () => Promise<Screen> {
  let pending: Promise<Screen> | null = null;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = null;
      throw error;
    }));
}

export interface RoleGateProps {
  /** The frame's heading and the document title ("Store" → "Store · Doorstep"). */
  title: string;
  /** Prefix of the cards' ids and test ids ("store" → "store-offline", "store-gate-offline"). */
  id: string;
  allowed: (user: CurrentUser) => boolean;
  load: () => Promise<Screen>;
  /** What the screen is, for the console when it fails to download ("the store screens"). */
  what: string;
  offlineText: string;
  signInIntro: ComponentChildren;
  loadingTitle: string;
  failedTitle: string;
  /** The card for someone signed in whom the screen is not for. */
  notForYou: (user: CurrentUser) => ComponentChildren;
}

export function RoleGate(props: RoleGateProps) {
  useEffect(() => {
    document.title = `${props.title} · Doorstep`;
  }, [props.title]);
  const state = session.value;

  if (state.status === "signed-in" && props.allowed(state.user)) return <LazyScreen {...props} user={state.user} />;

  let content: ComponentChildren;
  switch (state.status) {
    case "checking":
      content = <GateCard id={`${props.id}-checking`} title="Checking your sign-in…" busy />;
      break;
    case "unknown-offline":
      content = (
        <GateCard id={`${props.id}-offline`} title="You're offline" notice testId={`${props.id}-gate-offline`}>
          <p>{props.offlineText}</p>
          <button type="button" class="button button-wide" onClick={() => void checkSession()}>
            Try again
          </button>
        </GateCard>
      );
      break;
    case "signed-out":
      content = (
        <div class="app-gate-card">
          <p class="app-gate-intro">{props.signInIntro}</p>
          <SignInForm notice={state.notice} focusHeading={false} />
        </div>
      );
      break;
    case "signed-in":
      content = props.notForYou(state.user);
      break;
  }
  return <GateFrame title={props.title}>{content}</GateFrame>;
}

function LazyScreen(props: RoleGateProps & { user: CurrentUser }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    props.load().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error(`${props.what} could not be loaded.`, error);
        failed.value = true;
      },
    );
  }
  useEffect(load, []);

  if (screen.value) {
    const Loaded = screen.value.component;
    return <Loaded user={props.user} />;
  }
  return (
    <GateFrame title={props.title}>
      {failed.value ? (
        <GateCard id={`${props.id}-load-failed`} title={props.failedTitle} notice>
          <p>Check the connection to Doorstep, then try again.</p>
          <button type="button" class="button button-wide" onClick={load}>
            Try again
          </button>
        </GateCard>
      ) : (
        <GateCard id={`${props.id}-loading`} title={props.loadingTitle} busy />
      )}
    </GateFrame>
  );
}
