// Where the phone is now, for the proof of an action: one fix, quickly, or none. The place is optional
// proof; an action never waits long for it nor fails without it.
export interface Place {
  lat: number;
  lon: number;
  accuracy_m: number | null;
}

/** A fresh enough fix is reused: the driver has not moved far in 30 s at a door. */
const MAX_AGE_MS = 30_000;

export function currentPlace(timeoutMs = 8_000): Promise<Place | null> {
  if (typeof navigator === "undefined" || !navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    // getCurrentPosition's own timeout does not count the time a permission prompt is up
    const giveUp = setTimeout(() => resolve(null), timeoutMs + 1_000);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(giveUp);
        resolve({
          lat: position.coords.latitude,
          lon: position.coords.longitude,
          accuracy_m: Number.isFinite(position.coords.accuracy) ? Math.round(position.coords.accuracy) : null,
        });
      },
      () => {
        clearTimeout(giveUp);
        resolve(null);
      },
      { enableHighAccuracy: true, maximumAge: MAX_AGE_MS, timeout: timeoutMs },
    );
  });
}

/** The place as the command payloads carry it: lat, lon and accuracy_m, each null when unknown. */
export function placePayload(place: Place | null): {
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
} {
  return place
    ? { lat: place.lat, lon: place.lon, accuracy_m: place.accuracy_m }
    : { lat: null, lon: null, accuracy_m: null };
}
