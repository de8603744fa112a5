// One barcode reader over both engines: the browser's BarcodeDetector when it reads every parcel format,
// else zxing-wasm (downloaded now, on the first scanner opened: about 430 KB gzip with its .wasm).
import { nativeReadsAll, PARCEL_FORMATS, type ParcelFormat, zxingFormats } from "./formats";

export interface BarcodeReader {
  readonly engine: "native" | "zxing";
  /** The codes in the frame drawn on the canvas (none is an empty list). */
  read(frame: HTMLCanvasElement): Promise<string[]>;
}

/** The Barcode Detection API, which TypeScript's DOM library does not declare (not in every browser). */
interface NativeDetector {
  detect(source: HTMLCanvasElement): Promise<Array<{ rawValue: string }>>;
}
interface NativeDetectorClass {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeReader(formats: readonly ParcelFormat[]): Promise<BarcodeReader | null> {
  const Detector = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    if (!nativeReadsAll(await Detector.getSupportedFormats(), formats)) return null;
    const detector = new Detector({ formats: [...formats] });
    return {
      engine: "native",
      read: async (frame) => (await detector.detect(frame)).map((code) => code.rawValue),
    };
  } catch {
    return null; // a detector that throws on creation is as good as none
  }
}

async function zxingReader(formats: readonly ParcelFormat[]): Promise<BarcodeReader> {
  const { readFrame } = await import("./zxing");
  const names = zxingFormats(formats);
  return {
    engine: "zxing",
    read: async (frame) => {
      const context = frame.getContext("2d", { willReadFrequently: true });
      if (!context || frame.width === 0) return [];
      return readFrame(context.getImageData(0, 0, frame.width, frame.height), names);
    },
  };
}

let shared: Promise<BarcodeReader> | null = null;

/** The reader of parcel labels, made once per page; a failed download is forgotten so the next scanner tries again. */
export function barcodeReader(): Promise<BarcodeReader> {
  shared ??= (async () => (await nativeReader(PARCEL_FORMATS)) ?? (await zxingReader(PARCEL_FORMATS)))().catch(
    (error: unknown) => {
      shared = null;
      throw error;
    },
  );
  return shared;
}
