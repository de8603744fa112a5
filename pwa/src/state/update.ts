// Whether a new version of the app is ready; offline/sw-bridge.ts sets it, the update banner reads it.
import { signal } from "@preact/signals";

export const updateReady = signal(false);
