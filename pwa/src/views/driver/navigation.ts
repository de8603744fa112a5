// The "Navigate" hand-off: a link that opens the phone's own maps app with the stop as the destination.
// Pure (the platform is a parameter), so tested; the screen reads the platform from the user agent once.

export type MapsPlatform = "android" | "ios" | "other";

/** Which maps app a link can open: Android's geo: intent, Apple Maps, or Google Maps on the web. */
export function mapsPlatform(userAgent: string, maxTouchPoints = 0): MapsPlatform {
  if (/android/i.test(userAgent)) return "android";
  if (/iphone|ipad|ipod/i.test(userAgent)) return "ios";
  // iPadOS asks for desktop pages and says it is a Mac; a Mac does not have a touch screen.
  if (/macintosh/i.test(userAgent) && maxTouchPoints > 1) return "ios";
  return "other";
}

/** Six decimals are 10 cm: plenty for a door, and no float noise like 60.170000000000002 in the link. */
function coordinate(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/** The label inside geo:...(label): percent-encoded, brackets too, so it cannot close the bracket early. */
function geoLabel(label: string): string {
  return encodeURIComponent(label.trim()).replace(/\(/g, "%28").replace(/\)/g, "%29");
}

/**
 * A link that starts navigation to a place: `geo:lat,lon?q=lat,lon(label)` on Android (the driver's chosen
 * maps app opens with a pin), Apple Maps directions on iOS, Google Maps directions anywhere else.
 */
export function navigationUrl(platform: MapsPlatform, place: { lat: number; lon: number }, label: string): string {
  const at = `${coordinate(place.lat)},${coordinate(place.lon)}`;
  switch (platform) {
    case "android":
      return label.trim() ? `geo:${at}?q=${at}(${geoLabel(label)})` : `geo:${at}?q=${at}`;
    case "ios":
      return `https://maps.apple.com/?daddr=${at}`;
    case "other":
      return `https://www.google.com/maps/dir/?api=1&destination=${at}`;
  }
}

/** The platform of this browser (the screen's default). */
export function currentMapsPlatform(): MapsPlatform {
  if (typeof navigator === "undefined") return "other";
  return mapsPlatform(navigator.userAgent, navigator.maxTouchPoints ?? 0);
}
