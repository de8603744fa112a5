// The in-app camera for a proof photo: the back camera's live view and a "Take photo" button, for phones
// where the file picker's camera is slow to open, and for the browser tests' fake camera.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { stillFromVideo } from "./photo";
import { cameraProblem, cameraProblemText, openBackCamera, stopCamera, type CameraProblem } from "./stream";

export function CameraStill(props: { onCapture(photo: Blob): void; onClose(): void }) {
  const video = useRef<HTMLVideoElement>(null);
  const state = useSignal<"starting" | "live" | "taking" | CameraProblem>("starting");

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    void (async () => {
      try {
        stream = await openBackCamera();
      } catch (error) {
        if (!stopped) state.value = cameraProblem(error);
        return;
      }
      const element = video.current;
      if (stopped || !element) {
        stopCamera(stream);
        return;
      }
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      state.value = "live";
    })();
    return () => {
      stopped = true;
      stopCamera(stream);
    };
  }, []);

  async function take() {
    const element = video.current;
    if (!element || state.value !== "live" || element.videoWidth === 0) return;
    state.value = "taking";
    try {
      props.onCapture(await stillFromVideo(element));
      props.onClose();
    } catch (error) {
      console.error("The photo could not be taken.", error);
      state.value = "failed";
    }
  }

  const current = state.value;
  const problem = current === "starting" || current === "live" || current === "taking" ? null : current;
  return (
    <div class="camera-still" data-testid="camera-still">
      {problem ? (
        <p class="form-error" role="alert">
          {cameraProblemText(problem)}
        </p>
      ) : (
        <div class="camera-still-view">
          <video ref={video} muted playsInline autoPlay aria-label="Camera view" />
          {current === "starting" && <p class="camera-still-note">Starting the camera…</p>}
        </div>
      )}
      <div class="camera-still-actions">
        {!problem && (
          <button
            type="button"
            class="button"
            data-testid="camera-still-take"
            aria-disabled={current !== "live" ? "true" : undefined}
            onClick={() => void take()}
          >
            {current === "taking" ? "Saving…" : "Take photo"}
          </button>
        )}
        <button type="button" class="button button-secondary" onClick={props.onClose}>
          Close camera
        </button>
      </div>
    </div>
  );
}
