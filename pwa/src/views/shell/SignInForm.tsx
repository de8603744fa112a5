// The sign-in form: email and password, with the server's refusal shown in words.
import { useSignal } from "@preact/signals";
import type { TargetedSubmitEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../../api/client";
import { signInErrorMessage } from "./messages";
import { signInWith } from "./session-actions";

export function SignInForm(props: { notice?: string | undefined; focusHeading: boolean }) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(props.notice ?? null);
  const showPassword = useSignal(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const password = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (props.focusHeading) heading.current?.focus();
  }, []);

  const passwordProps = {
    id: "sign-in-password",
    name: "password",
    autocomplete: "current-password",
    autoCapitalize: "none",
    spellcheck: false,
    required: true,
  } as const;

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const form = new FormData(event.currentTarget);
    busy.value = true;
    error.value = null;
    try {
      await signInWith({ email: String(form.get("email") ?? "").trim(), password: String(form.get("password") ?? "") });
    } catch (failure) {
      error.value = signInErrorMessage(failure);
      if (failure instanceof ApiError && failure.status === 401 && password.current) {
        password.current.value = "";
        password.current.focus();
      }
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="card" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading" ref={heading} tabIndex={-1}>
        Sign in
      </h2>
      <form class="form" onSubmit={submit} aria-describedby={error.value ? "sign-in-error" : undefined}>
        <div class="field">
          <label for="sign-in-email">Email</label>
          <input
            id="sign-in-email"
            name="email"
            type="email"
            autocomplete="username"
            inputMode="email"
            autoCapitalize="none"
            spellcheck={false}
            required
          />
        </div>
        <div class="field">
          <label for="sign-in-password">Password</label>
          {/* Same position, so Preact keeps the element (and what was typed) and swaps only its type. */}
          {showPassword.value ? (
            <input type="text" {...passwordProps} ref={password} />
          ) : (
            <input type="password" {...passwordProps} ref={password} />
          )}
        </div>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={showPassword.value}
            onChange={(event) => (showPassword.value = event.currentTarget.checked)}
          />
          Show password
        </label>
        {error.value && (
          <p id="sign-in-error" class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="button button-wide" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
