// The Reports card on the dispatch screen: a small door that downloads the reports (ReportsView.tsx, its
// charts and styles: a chunk of their own) once the screen is up, so the dispatch chunk stays small.
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";

type View = FunctionComponent;

/** One download per page; a failed one is forgotten so "Try again" refetches. */
let viewModule: Promise<View> | null = null;
function loadView(): Promise<View> {
  viewModule ??= import("./ReportsView").then(
    (module) => module.ReportsView,
    (error: unknown) => {
      viewModule = null;
      throw error;
    },
  );
  return viewModule;
}

export function ReportsPanel() {
  const view = useSignal<{ component: View } | null>(null);
  const failed = useSignal(false);
  const attempt = useSignal(0);

  useEffect(() => {
    let current = true;
    failed.value = false;
    loadView().then(
      (component) => {
        if (current) view.value = { component };
      },
      (error: unknown) => {
        console.error("The reports could not be loaded.", error);
        if (current) failed.value = true;
      },
    );
    return () => {
      current = false;
    };
  }, [attempt.value]);

  if (view.value) {
    const Loaded = view.value.component;
    return <Loaded />;
  }
  return (
    <section class="card" aria-labelledby="reports-heading" data-testid="reports-panel">
      <h2 id="reports-heading">Reports</h2>
      {failed.value ? (
        <p class="form-error" role="alert">
          The reports could not be loaded.{" "}
          <button type="button" class="button button-secondary" onClick={() => (attempt.value += 1)}>
            Try again
          </button>
        </p>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </section>
  );
}
