// Who is signed in, and the way out.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { requestErrorMessage } from "./messages";
import { signOutNow } from "./session-actions";

const ROLE_NAMES: Record<string, string> = {
  admin: "Administrator",
  dispatcher: "Dispatcher",
  driver: "Driver",
  store_staff: "Store staff",
};

/** A role as a person reads it: "store_staff" is "Store staff"; an unknown role is still readable. */
export function roleName(role: string): string {
  const words = role.replaceAll("_", " ");
  return ROLE_NAMES[role] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

export function SignedInCard(props: { user: CurrentUser; focusHeading: boolean }) {
  const { user } = props;
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (props.focusHeading) heading.current?.focus();
  }, []);

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
    <section class="card" aria-labelledby="signed-in-heading">
      <h2 id="signed-in-heading" ref={heading} tabIndex={-1}>
        Signed in
      </h2>
      <dl class="who">
        <div>
          <dt>Name</dt>
          <dd data-testid="user-name">{user.name}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd data-testid="user-email">{user.email}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd data-testid="user-role">{roleName(user.role)}</dd>
        </div>
        <div>
          <dt>Organization</dt>
          <dd data-testid="user-organization">{user.organization_name}</dd>
        </div>
      </dl>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <button
        type="button"
        class="button button-secondary button-wide"
        onClick={signOut}
        aria-disabled={busy.value ? "true" : undefined}
      >
        {busy.value ? "Signing out…" : "Sign out"}
      </button>
    </section>
  );
}
