// The parts every signed-in app's door shares (driver, store): the slim header with the way home, and the
// cards it shows before the app itself (checking, offline, sign-in, not for your role).
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { roleName } from "../../views/shell/SignedInCard";
import { Link } from "../Link";
import { UpdateBanner } from "../UpdateBanner";
import "./gate.css";

export function GateFrame(props: { title: string; children: ComponentChildren }) {
  return (
    <>
      <UpdateBanner />
      <header class="app-gate-header">
        <Link class="app-gate-home" href="/">
          <img src="/icons/icon.svg" alt="" width={32} height={32} />
          <span>
            <span class="visually-hidden">Back to </span>Doorstep<span class="visually-hidden"> apps</span>
          </span>
        </Link>
        <p class="app-gate-title">{props.title}</p>
      </header>
      <main class="app-gate-main">{props.children}</main>
    </>
  );
}

export function GateCard(props: {
  id: string;
  title: string;
  busy?: boolean;
  notice?: boolean;
  testId?: string;
  children?: ComponentChildren;
}) {
  return (
    <section
      class={props.notice ? "card notice app-gate-card" : "card app-gate-card"}
      aria-busy={props.busy ? "true" : undefined}
      aria-labelledby={props.id}
      data-testid={props.testId}
    >
      <h1 id={props.id} class="app-gate-heading">
        {props.title}
      </h1>
      {props.children}
    </section>
  );
}

/** Signed in, but as someone this app is not for: says who they are and what account they need. */
export function NotForYourRole(props: {
  user: CurrentUser;
  id: string;
  testId: string;
  title: string;
  advice: string;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card notice app-gate-card" aria-labelledby={props.id} data-testid={props.testId}>
      <h1 id={props.id} class="app-gate-heading" ref={heading} tabIndex={-1}>
        {props.title}
      </h1>
      <p>
        You are signed in as {props.user.name} ({roleName(props.user.role).toLowerCase()}). {props.advice}
      </p>
      <Link class="button button-secondary button-wide" href="/">
        Back to your apps
      </Link>
    </section>
  );
}
