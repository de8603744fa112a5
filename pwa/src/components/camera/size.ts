// How big a photo is kept: the size math of the on-device downscale, pure so it is tested.

/** A proof photo's longest side, in pixels: a parcel on a doorstep stays readable, a photo stays ~200-400 KB. */
export const MAX_PHOTO_SIDE = 1600;
/** JPEG quality: 0.8 keeps a label's text sharp at about a third of the bytes of 0.95. */
export const PHOTO_QUALITY = 0.8;

export interface Size {
  width: number;
  height: number;
}

/**
 * The size that fits `maxSide` on the longest side, keeping the aspect ratio; never upscales. Whole pixels,
 * at least 1 each way for a sliver; 0 × 0 for an image with no size.
 */
export function fitWithin(width: number, height: number, maxSide: number = MAX_PHOTO_SIDE): Size {
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) return { width: 0, height: 0 };
  const longest = Math.max(width, height);
  const scale = longest > maxSide ? maxSide / longest : 1;
  return {
    width: Math.min(maxSide, Math.max(1, Math.round(width * scale))),
    height: Math.min(maxSide, Math.max(1, Math.round(height * scale))),
  };
}
