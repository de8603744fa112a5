// A parcel held in front of the camera is read at every frame; the driver meant it once. Pure, tested.

/** A code read again within this time is the same scan; after it, scanning it again is deliberate. */
export const REPEAT_WINDOW_MS = 2_500;

/** Returns a filter that passes a code the first time, then again only after it was out of sight for the window. */
export function createRepeatFilter(windowMs: number = REPEAT_WINDOW_MS): (code: string, nowMs: number) => boolean {
  const lastSeen = new Map<string, number>();
  return (code, nowMs) => {
    const seen = lastSeen.get(code);
    lastSeen.set(code, nowMs); // still in view: the window starts again
    for (const [other, at] of lastSeen) if (nowMs - at > windowMs * 4) lastSeen.delete(other);
    return seen === undefined || nowMs - seen > windowMs;
  };
}
