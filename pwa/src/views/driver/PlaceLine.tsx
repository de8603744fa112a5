// The place and time a proof records, taken by the phone when the sheet opens: shown, so the driver knows,
// never waited for long (the place is optional proof).
import { useSignal, type Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { currentPlace, type Place } from "./place";

/** At confirm, a fix still coming is waited for this long at most. */
const SETTLE_MS = 2_000;

export interface PlaceFix {
  /** "finding" until the phone answers. */
  current: Signal<Place | null | "finding">;
  /** The fix, or null once it is clear there is none soon. */
  settled(): Promise<Place | null>;
}

export function usePlace(): PlaceFix {
  const current = useSignal<Place | null | "finding">("finding");
  const pending = useRef<Promise<Place | null> | null>(null);
  useEffect(() => {
    let live = true;
    pending.current = currentPlace(10_000).then((place) => {
      if (live) current.value = place;
      return place;
    });
    return () => {
      live = false;
    };
  }, []);
  return {
    current,
    settled: async () => {
      if (current.value !== "finding") return current.value;
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), SETTLE_MS));
      return Promise.race([pending.current ?? Promise.resolve(null), timeout]);
    },
  };
}

export function PlaceLine(props: { place: Place | null | "finding" }) {
  const { place } = props;
  return (
    <p class="place-line muted" data-testid="proof-place">
      {place === "finding"
        ? "Finding where you are…"
        : place
          ? `Place recorded${place.accuracy_m !== null ? ` (within ${place.accuracy_m} m)` : ""}.`
          : "Place not available: the proof is kept without it."}{" "}
      The time is recorded when you confirm.
    </p>
  );
}
