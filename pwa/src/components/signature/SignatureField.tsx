// A signature drawn with a finger (signature_pad, downloaded when the field first shows: it belongs to the
// delivery sheet, not to the screen), handed to the form as a PNG after every stroke; "Clear" starts over.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type SignaturePad from "signature_pad";
import "./signature.css";

/** The pad's height in CSS pixels: room for a name written by a thumb, short enough for a 740 px screen. */
const PAD_HEIGHT = 180;

export interface SignatureFieldProps {
  id: string;
  label: string;
  /** The signature as PNG after each stroke; null once cleared. */
  onChange(signature: Blob | null): void;
}

function toPng(canvas: HTMLCanvasElement): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

export function SignatureField(props: SignatureFieldProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad | null>(null);
  const state = useSignal<"loading" | "ready" | "failed">("loading");
  const signed = useSignal(false);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    let stopped = false;
    let resize: ResizeObserver | null = null;
    void import("signature_pad").then(
      ({ default: Pad }) => {
        const element = canvas.current;
        if (stopped || !element) return;
        const created = new Pad(element, {
          backgroundColor: "rgb(255, 255, 255)",
          penColor: "#000000",
          minWidth: 1,
          maxWidth: 3,
        });
        // The canvas's pixels follow its width and the screen's density; a resize (the phone turned) clears
        // a canvas, so the strokes are kept and drawn again.
        let width = 0;
        const fit = () => {
          const cssWidth = element.clientWidth;
          if (cssWidth === 0 || cssWidth === width) return;
          width = cssWidth;
          const ratio = Math.max(window.devicePixelRatio || 1, 1);
          const strokes = created.toData();
          element.width = Math.round(cssWidth * ratio);
          element.height = Math.round(PAD_HEIGHT * ratio);
          element.getContext("2d")?.scale(ratio, ratio);
          created.clear();
          created.fromData(strokes);
        };
        fit();
        resize = new ResizeObserver(fit);
        resize.observe(element);
        created.addEventListener("endStroke", () => {
          signed.value = !created.isEmpty();
          void toPng(element).then((png) => {
            if (!stopped && !created.isEmpty()) onChange.current(png);
          });
        });
        pad.current = created;
        state.value = "ready";
      },
      (error: unknown) => {
        console.error("The signature pad did not load.", error);
        if (!stopped) state.value = "failed";
      },
    );
    return () => {
      stopped = true;
      resize?.disconnect();
      pad.current?.off();
      pad.current = null;
    };
  }, []);

  function clear() {
    pad.current?.clear();
    signed.value = false;
    props.onChange(null);
  }

  const hintId = `${props.id}-hint`;
  return (
    <div class="signature-field" data-testid={`${props.id}-signature`}>
      <p class="signature-label" id={`${props.id}-label`}>
        {props.label}
      </p>
      <p id={hintId} class="muted">
        {state.value === "failed"
          ? "The signature pad did not load. The recipient's name is enough."
          : "Ask the recipient to sign with a finger inside the box."}
      </p>
      <div class="signature-box" hidden={state.value === "failed"}>
        <canvas
          ref={canvas}
          class="signature-pad"
          style={{ height: `${PAD_HEIGHT}px` }}
          role="img"
          aria-labelledby={`${props.id}-label`}
          aria-describedby={hintId}
          data-testid="signature-pad"
        />
        <span class="signature-line" aria-hidden="true" />
      </div>
      <button
        type="button"
        class="button button-secondary"
        onClick={clear}
        aria-disabled={signed.value ? undefined : "true"}
        data-testid="signature-clear"
      >
        Clear signature
      </button>
    </div>
  );
}
