// Which barcodes a parcel label may carry, named both ways: the Barcode Detection API's names and
// zxing-wasm's. Pure, so the choice of engine is tested.

/** Parcel labels in the wild: Code 128 (most carriers), Data Matrix and QR (newer labels), EAN-13, Code 39, ITF. */
export const PARCEL_FORMATS = ["code_128", "data_matrix", "qr_code", "ean_13", "code_39", "itf"] as const;

export type ParcelFormat = (typeof PARCEL_FORMATS)[number];

const ZXING_NAMES: Record<ParcelFormat, string> = {
  code_128: "Code128",
  data_matrix: "DataMatrix",
  qr_code: "QRCode",
  ean_13: "EAN13",
  code_39: "Code39",
  itf: "ITF",
};

/**
 * The browser's own detector is used only when it reads every format we need: a phone whose detector
 * lacks Data Matrix would miss labels the WebAssembly reader finds. (Headless Chromium on Linux has no
 * detector at all, and with flags lists no formats.)
 */
export function nativeReadsAll(
  supported: readonly string[],
  needed: readonly ParcelFormat[] = PARCEL_FORMATS,
): boolean {
  return needed.length > 0 && needed.every((format) => supported.includes(format));
}

/** The formats as zxing-wasm's reader options name them. */
export function zxingFormats(needed: readonly ParcelFormat[] = PARCEL_FORMATS): string[] {
  return needed.map((format) => ZXING_NAMES[format]);
}

/** A code as the driver's eyes and the server compare it: no surrounding spaces or control characters. */
export function cleanBarcode(text: string): string {
  // GS1 labels carry a group separator (0x1d) between fields; scanners read it, people cannot type it
  return text.replace(/[\u0000-\u001f\u007f]/g, "").trim();
}
