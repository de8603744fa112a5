// The foot of a signed-in screen (store, carrier): who is signed in, the screen's own actions, and Sign out,
// with the reason shown when signing out fails.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { CurrentUser } from "../../api/auth";
import { requestErrorMessage } from "../../views/shell/messages";
import { signOutNow } from "../../views/shell/session-actions";
import { roleName } from "../../views/shell/SignedInCard";

export function SignedInFooter(props: { user: CurrentUser; class: string; children?: ComponentChildren }) {
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
      busy.value = false;
    }
  }

  return (
    <footer class={props.class}>
      <p>
        Signed in as <strong>{props.user.name}</strong> ({roleName(props.user.role).toLowerCase()})
      </p>
      <div class={`${props.class}-actions`}>
        {props.children}
        <button
          type="button"
          class="button button-secondary"
          onClick={() => void signOut()}
          aria-disabled={busy.value ? "true" : undefined}
        >
          {busy.value ? "Signing out…" : "Sign out"}
        </button>
      </div>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </footer>
  );
}
