// A barcode scanner for parcel labels: the back camera read a few times a second (BarcodeDetector or
// zxing-wasm, see reader.ts), and always a field to type the code, for a torn label, a dark van, or a
// camera the driver did not allow. The caller says what each code meant; the scanner shows it.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { fitWithin } from "../camera/size";
import { cameraProblem, cameraProblemText, openBackCamera, stopCamera, type CameraProblem } from "../camera/stream";
import { cleanBarcode } from "./formats";
import { barcodeReader } from "./reader";
import { createRepeatFilter } from "./repeat";
import "./scan.css";

/** Four frames a second: quick enough to feel instant, slow enough for a cheap phone's CPU and battery. */
const FRAME_INTERVAL_MS = 250;
/** Frames are read at most this big: a label fills a good part of the view, and zxing's time grows with pixels. */
const FRAME_SIDE = 960;

export interface ScanResult {
  tone: "good" | "bad" | "info";
  text: string;
}

export interface ScannerProps {
  /** Unique on the page: the ids of the scanner's field. */
  id: string;
  /** What is being scanned, as the field's label says it: "Parcel barcode". */
  label: string;
  onScan(code: string, how: "camera" | "typed"): void;
  /** What the last code meant, in the caller's words ("Right parcel", "Not on your route"). */
  result?: ScanResult | null;
  /** Start the camera at once (default): opening a scanner is asking for it. */
  autoStart?: boolean;
}

type CameraState = "off" | "starting" | "live" | CameraProblem;

/** A short buzz for a good read, a double one for a problem: the driver's eyes are on the parcel. */
export function buzz(tone: ScanResult["tone"]): void {
  if (tone === "info" || typeof navigator.vibrate !== "function") return;
  try {
    navigator.vibrate(tone === "good" ? 60 : [90, 60, 90]);
  } catch {
    // vibration is a nicety; some browsers refuse it without a recent tap
  }
}

export function Scanner(props: ScannerProps) {
  const wanted = useSignal(props.autoStart ?? true);
  /** Counts "Try the camera again": the camera effect runs anew for each. */
  const attempt = useSignal(0);
  const camera = useSignal<CameraState>("off");
  const readerProblem = useSignal(false);
  const typed = useSignal("");
  const video = useRef<HTMLVideoElement>(null);
  const onScan = useRef(props.onScan);
  onScan.current = props.onScan;

  // The camera, and the frame loop while it runs.
  useEffect(() => {
    if (!wanted.value) {
      camera.value = "off";
      return;
    }
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fresh = createRepeatFilter();
    const canvas = document.createElement("canvas");
    camera.value = "starting";
    readerProblem.value = false;

    void (async () => {
      try {
        stream = await openBackCamera();
      } catch (error) {
        if (!stopped) camera.value = cameraProblem(error);
        return;
      }
      const element = video.current;
      if (stopped || !element) {
        stopCamera(stream);
        return;
      }
      element.srcObject = stream;
      await element.play().catch(() => undefined); // muted inline video may play without a tap
      camera.value = "live";
      let reader;
      try {
        reader = await barcodeReader();
      } catch (error) {
        console.error("The barcode reader did not load.", error);
        if (!stopped) readerProblem.value = true;
        return;
      }
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const tick = async () => {
        if (stopped) return;
        if (context && element.readyState >= element.HAVE_CURRENT_DATA && element.videoWidth > 0) {
          const size = fitWithin(element.videoWidth, element.videoHeight, FRAME_SIDE);
          if (canvas.width !== size.width || canvas.height !== size.height) {
            canvas.width = size.width;
            canvas.height = size.height;
          }
          context.drawImage(element, 0, 0, size.width, size.height);
          try {
            for (const raw of await reader.read(canvas)) {
              const code = cleanBarcode(raw);
              if (code && !stopped && fresh(code, Date.now())) onScan.current(code, "camera");
            }
          } catch (error) {
            console.warn("A camera frame could not be read.", error);
          }
        }
        if (!stopped) timer = setTimeout(() => void tick(), FRAME_INTERVAL_MS);
      };
      void tick();
    })();

    return () => {
      stopped = true;
      clearTimeout(timer);
      stopCamera(stream);
      if (video.current) video.current.srcObject = null;
    };
  }, [wanted.value, attempt.value]);

  // The camera is off while the app is in the background (the phone's battery, the driver's privacy).
  useEffect(() => {
    let resume = false;
    const onVisibility = () => {
      if (document.hidden && wanted.value) {
        resume = true;
        wanted.value = false;
      } else if (!document.hidden && resume) {
        resume = false;
        wanted.value = true;
      }
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  function submitTyped() {
    const code = cleanBarcode(typed.value);
    if (!code) return;
    typed.value = "";
    props.onScan(code, "typed");
  }

  const state = camera.value;
  const problem = state !== "off" && state !== "starting" && state !== "live" ? state : null;
  const fieldId = `${props.id}-code`;
  return (
    <div class="scanner" data-testid="scanner">
      <div class={`scan-view scan-view-${state}`} hidden={state !== "live" && state !== "starting"}>
        <video ref={video} class="scan-video" muted playsInline autoPlay aria-label="Camera view for scanning" />
        <span class="scan-aim" aria-hidden="true" />
        {state === "starting" && <p class="scan-view-note">Starting the camera…</p>}
      </div>
      <p
        class={problem ? "scan-camera-line scan-camera-problem" : "scan-camera-line"}
        data-testid="scan-camera-state"
        data-state={state}
      >
        {state === "live" && !readerProblem.value && "Hold the label inside the frame."}
        {state === "live" && readerProblem.value && "The barcode reader did not load. Type the code instead."}
        {state === "off" && "Camera off."}
        {problem && cameraProblemText(problem)}
      </p>
      <p
        class={props.result ? `scan-result scan-result-${props.result.tone}` : "scan-result"}
        role="status"
        data-testid="scan-result"
      >
        {props.result?.text ?? ""}
      </p>
      <div class="scan-typed field">
        <label for={fieldId}>Or type the {props.label.toLowerCase()}</label>
        <div class="scan-typed-row">
          <input
            id={fieldId}
            type="text"
            autocomplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            enterKeyHint="done"
            data-testid="scan-manual-input"
            value={typed.value}
            onInput={(event) => (typed.value = event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault(); // inside a sheet's form, Enter must not submit the form
                submitTyped();
              }
            }}
          />
          <button type="button" class="button" data-testid="scan-manual-submit" onClick={submitTyped}>
            Check
          </button>
        </div>
      </div>
      <button
        type="button"
        class="button button-secondary button-wide"
        data-testid="scan-camera-toggle"
        onClick={() => {
          if (problem) attempt.value += 1;
          else wanted.value = !wanted.value;
        }}
      >
        {problem ? "Try the camera again" : wanted.value ? "Stop camera" : "Start camera"}
      </button>
    </div>
  );
}
