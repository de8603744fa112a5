// The door to the customer's tracking page, in the main bundle: it downloads the page (TrackScreen.tsx and
// Leaflet, a chunk of their own) and nothing of the staff screens. No sign-in: the link's token is the key.
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import "./gate.css";

type Screen = FunctionComponent<{ token: string }>;

/** One download per page; a failed one is forgotten so "Try again" refetches. */
let screenModule: Promise<Screen> | null = null;
function loadScreen(): Promise<Screen> {
  screenModule ??= import("./TrackScreen").then(
    (module) => module.TrackScreen,
    (error: unknown) => {
      screenModule = null;
      throw error;
    },
  );
  return screenModule;
}

export function TrackGate(props: { token: string }) {
  const screen = useSignal<{ component: Screen } | null>(null);
  const failed = useSignal(false);

  function load() {
    failed.value = false;
    loadScreen().then(
      (component) => (screen.value = { component }),
      (error: unknown) => {
        console.error("The tracking page could not be loaded.", error);
        failed.value = true;
      },
    );
  }
  useEffect(() => {
    document.title = "Track your delivery · Doorstep";
    load();
  }, []);

  if (screen.value) {
    const Screen = screen.value.component;
    return <Screen token={props.token} />;
  }
  return (
    <main class="shell-main">
      {failed.value ? (
        <section class="card notice" aria-labelledby="track-load-failed">
          <h1 id="track-load-failed" class="track-gate-title">
            The tracking page did not load
          </h1>
          <p>Check your connection, then try again.</p>
          <button type="button" class="button button-wide" onClick={load}>
            Try again
          </button>
        </section>
      ) : (
        <section class="card" aria-busy="true" aria-labelledby="track-opening">
          <h1 id="track-opening" class="track-gate-title">
            Opening your delivery…
          </h1>
        </section>
      )}
    </main>
  );
}
