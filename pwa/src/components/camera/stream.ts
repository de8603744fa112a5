// The phone's back camera as a MediaStream, for the barcode scanner and the in-app photo, and what to tell
// the driver when it cannot be had.

/** The back camera; a front-only device (a laptop) still gets its one camera. */
export async function openBackCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraUnavailable();
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
  });
}

/** This browser has no camera API (an old browser, or a page not served over https). */
export class CameraUnavailable extends Error {
  override readonly name = "CameraUnavailable";
}

export function stopCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export type CameraProblem = "denied" | "missing" | "busy" | "unavailable" | "failed";

/** Sorts getUserMedia's failures (DOMException names) into what the driver can do about them. */
export function cameraProblem(error: unknown): CameraProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    case "CameraUnavailable":
      return "unavailable";
    default:
      return "failed";
  }
}

const PROBLEM_TEXT: Record<CameraProblem, string> = {
  denied: "Camera access is blocked. Allow the camera for this site in the browser's settings, or type instead.",
  missing: "No camera was found on this device. Type instead.",
  busy: "The camera is in use by another app. Close it and try again, or type instead.",
  unavailable: "This browser cannot use the camera here. Type instead.",
  failed: "The camera did not start. Try again, or type instead.",
};

export function cameraProblemText(problem: CameraProblem): string {
  return PROBLEM_TEXT[problem];
}
