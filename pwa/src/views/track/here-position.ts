// "I'm here" may carry where the customer is, so the store knows how far away they are (the server keeps only
// the distance). Asking must never hold the customer up: a refusal, no GPS or a slow fix sends without it.

export interface HerePosition {
  lat: number;
  lon: number;
}

/** The longest "I'm here" waits for a fix before going without one. */
export const POSITION_WAIT_MS = 6000;

export function herePosition(
  geolocation: Pick<Geolocation, "getCurrentPosition"> | undefined,
  waitMs: number = POSITION_WAIT_MS,
): Promise<HerePosition | null> {
  if (!geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    const done = (value: HerePosition | null) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      geolocation.getCurrentPosition(
        (position) => {
          const { latitude, longitude } = position.coords;
          const valid =
            Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
          done(valid ? { lat: latitude, lon: longitude } : null);
        },
        () => done(null),
        { enableHighAccuracy: false, maximumAge: 60_000, timeout: waitMs },
      );
    } catch {
      done(null);
    }
  });
}
