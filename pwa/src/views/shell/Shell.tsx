// The app shell: product name, who is signed in (or the sign-in form), and the apps, open or to come.
// views/App.tsx checks the session; the shell only shows it.
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser, Role } from "../../api/auth";
import { Link, navigate } from "../../components/Link";
import { UpdateBanner } from "../../components/UpdateBanner";
import { session, type SessionState } from "../../state/session";
import { canWorkAsCarrier } from "../carrier/access";
import { canDispatch } from "../dispatch/access";
import { canDrive } from "../driver/access";
import { canServeStore } from "../store/access";
import { checkSession } from "./session-actions";
import { SignedInCard } from "./SignedInCard";
import { SignInForm } from "./SignInForm";
import "./shell.css";

interface App {
  name: string;
  summary: string;
  /** Where the app opens, for the roles it is for; an app without one is still to come. */
  open?: { href: string; allows: (role: Role) => boolean };
  /** Listed only for these people (the carrier screen for a carrier organization's staff); everyone by default. */
  listedFor?: (user: CurrentUser) => boolean;
}

const APPS: readonly App[] = [
  {
    name: "Driver",
    summary: "Today's route, stops, scanning and proof of delivery.",
    open: { href: "/driver", allows: canDrive },
  },
  {
    name: "Dispatch",
    summary: "Orders, drivers and route plans on a live map.",
    open: { href: "/dispatch", allows: canDispatch },
  },
  {
    name: "Store",
    summary: "Pickups at the counter, parcels onto shelves, returns dropped off.",
    open: { href: "/store", allows: canServeStore },
  },
  { name: "Tracking", summary: "A live arrival window for the person waiting at home." },
  {
    name: "Carrier",
    summary: "The orders shippers gave your courier company: picked up, delivered, failed.",
    open: { href: "/carrier", allows: () => true },
    listedFor: canWorkAsCarrier,
  },
];

export function Shell() {
  useEffect(() => {
    document.title = "Doorstep";
  }, []);
  const state = session.value;
  const user = state.status === "signed-in" ? state.user : null;
  const role = user?.role ?? null;
  const apps = APPS.filter((app) => !app.listedFor || (user !== null && app.listedFor(user)));

  // A carrier's office staff have one app: signing in (or opening Doorstep signed in) takes them to it. Coming
  // back here from it (the home link) does not send them away again.
  const before = useRef(state.status);
  useEffect(() => {
    const was = before.current;
    before.current = state.status;
    if (was !== "signed-in" && user !== null && canWorkAsCarrier(user)) navigate("/carrier");
  }, [state.status]);

  return (
    <>
      <UpdateBanner />
      <header class="shell-header">
        <div class="shell-header-inner">
          <img class="shell-logo" src="/icons/icon.svg" alt="" width={40} height={40} />
          <div>
            <h1 class="shell-title">Doorstep</h1>
            <p class="shell-tagline">Last-mile delivery, open source</p>
          </div>
        </div>
      </header>
      <main class="shell-main">
        <SessionPanel />
        <section class="card" aria-labelledby="apps-heading">
          <h2 id="apps-heading">Apps</h2>
          <p class="muted">These open here as they are released.</p>
          <ul class="apps">
            {apps.map((app) =>
              app.open && role !== null && app.open.allows(role) ? (
                <li class="app app-open" key={app.name}>
                  <div class="app-head">
                    <h3 class="app-name">
                      {/* The whole tile is this link (a stretched ::after), named by the app alone. */}
                      <Link class="app-link" href={app.open.href}>
                        {app.name}
                      </Link>
                    </h3>
                    <span class="badge badge-open" aria-hidden="true">
                      Open →
                    </span>
                  </div>
                  <p class="app-summary">{app.summary}</p>
                </li>
              ) : (
                <li class="app" key={app.name}>
                  <div class="app-head">
                    <h3 class="app-name">{app.name}</h3>
                    <span class="badge">Coming soon</span>
                  </div>
                  <p class="app-summary">{app.summary}</p>
                </li>
              ),
            )}
          </ul>
        </section>
        <section class="card" aria-labelledby="developers-heading">
          <h2 id="developers-heading">For developers</h2>
          <p class="muted">Every screen uses the same HTTP API, described in OpenAPI.</p>
          <a class="button button-secondary button-wide" href="/schema">
            API documentation
          </a>
        </section>
      </main>
      <footer class="shell-footer">
        <p>Doorstep is open source under the Apache License 2.0.</p>
      </footer>
    </>
  );
}

/** The sign-in form or who is signed in; moves focus to the new heading when the person changed it. */
function SessionPanel() {
  const state = session.value;
  const previous = useRef<SessionState["status"]>(state.status);
  const changedByPerson = previous.current !== state.status && previous.current !== "checking";
  useEffect(() => {
    previous.current = state.status;
  });

  switch (state.status) {
    case "checking":
      return (
        <section class="card" aria-busy="true" aria-labelledby="checking-heading">
          <h2 id="checking-heading">Checking your sign-in…</h2>
        </section>
      );
    case "unknown-offline":
      return (
        <section class="card notice" aria-labelledby="offline-heading">
          <h2 id="offline-heading">You're offline</h2>
          <p>Doorstep will check who is signed in when the connection is back.</p>
          <button type="button" class="button button-secondary button-wide" onClick={() => void checkSession()}>
            Try again
          </button>
        </section>
      );
    case "signed-out":
      return <SignInForm notice={state.notice} focusHeading={changedByPerson} />;
    case "signed-in":
      return <SignedInCard user={state.user} focusHeading={changedByPerson} />;
  }
}
