// Photos made small on the phone before they are stored: at most MAX_PHOTO_SIDE on the longest side, JPEG
// at PHOTO_QUALITY. A 12 MP camera photo (4-6 MB) becomes a few hundred KB to keep offline and upload.
import { fitWithin, MAX_PHOTO_SIDE, PHOTO_QUALITY } from "./size";

type Drawable = ImageBitmap | HTMLImageElement | HTMLVideoElement;

/** A camera file (from <input type=file capture>) as a downscaled JPEG, turned upright by its EXIF. */
export async function downscalePhoto(file: Blob, maxSide: number = MAX_PHOTO_SIDE): Promise<Blob> {
  const image = await decode(file);
  try {
    const { width, height } =
      image instanceof HTMLImageElement ? { width: image.naturalWidth, height: image.naturalHeight } : image;
    return await drawToJpeg(image, width, height, maxSide);
  } finally {
    if (!(image instanceof HTMLImageElement)) image.close();
  }
}

/** The video's current frame as a downscaled JPEG: the in-app camera's "Take photo". */
export function stillFromVideo(video: HTMLVideoElement, maxSide: number = MAX_PHOTO_SIDE): Promise<Blob> {
  return drawToJpeg(video, video.videoWidth, video.videoHeight, maxSide);
}

async function decode(file: Blob): Promise<ImageBitmap | HTMLImageElement> {
  if (typeof createImageBitmap === "function") {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      // Some older WebKits refuse the options or the format; an <img> decodes what the browser can show.
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.decoding = "async";
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function drawToJpeg(source: Drawable, width: number, height: number, maxSide: number): Promise<Blob> {
  const size = fitWithin(width, height, maxSide);
  if (size.width === 0) throw new Error("The photo has no picture in it");
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("This browser cannot draw the photo");
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(source, 0, 0, size.width, size.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
  // free the pixels now: a cheap phone has little memory and the canvas may be 1600 × 1200 × 4 bytes
  canvas.width = 0;
  canvas.height = 0;
  if (!blob) throw new Error("The photo could not be saved as JPEG");
  return blob;
}
