// "Get notified on this phone": the card that turns this order's Web Push notices on and off in this
// browser (push.ts does the work, push-wording.ts says it). Only where the browser can take notices; the
// browser's question comes only from the customer's click.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { checkPush, deviceOf, showsPushCard, turnPushOff, turnPushOn } from "./push";
import { DISMISSED_TEXT, pushErrorMessage, pushWords, type PushPhase } from "./push-wording";

export function PushCard(props: { token: string; closed: boolean }) {
  const phase = useSignal<PushPhase>("checking");
  const note = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);

  useEffect(() => {
    let current = true;
    checkPush(props.token).then(
      (checked) => current && (phase.value = checked),
      () => current && (phase.value = "off"), // the check failed (offline): offer it; turning on tells why not
    );
    return () => {
      current = false;
    };
  }, [props.token]);

  if (!showsPushCard(phase.value, props.closed)) return null;
  const busy = phase.value === "turning-on" || phase.value === "turning-off";
  const device = deviceOf(typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches);
  const words = pushWords(phase.value, device);

  async function toggle() {
    if (busy) return;
    const turning = phase.value === "on" ? "off" : "on";
    const before = phase.value;
    error.value = null;
    note.value = null;
    phase.value = turning === "on" ? "turning-on" : "turning-off";
    try {
      if (turning === "on") {
        const result = await turnPushOn(props.token);
        phase.value = result.phase;
        if (result.dismissed) note.value = DISMISSED_TEXT;
      } else {
        phase.value = await turnPushOff(props.token);
      }
    } catch (failure) {
      phase.value = before;
      error.value = pushErrorMessage(failure, turning);
    }
  }

  return (
    <section
      class={`card track-card track-push track-push-${phase.value}`}
      aria-labelledby="track-push-heading"
      data-testid="track-push"
      data-state={phase.value}
    >
      <h2 id="track-push-heading">{words.heading}</h2>
      <p role="status" data-testid="track-push-text">
        {words.text}
      </p>
      {words.hint && (
        <p class="track-push-hint" data-testid="track-push-hint">
          {words.hint}
        </p>
      )}
      {note.value && <p class="muted">{note.value}</p>}
      {words.button && (
        <button
          type="button"
          class={phase.value === "on" || phase.value === "turning-off" ? "button button-secondary button-wide" : "button button-wide"}
          aria-disabled={busy ? "true" : undefined}
          aria-describedby={error.value ? "track-push-error" : undefined}
          data-testid="track-push-button"
          onClick={toggle}
        >
          {words.button}
        </button>
      )}
      {error.value && (
        <p id="track-push-error" class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </section>
  );
}
