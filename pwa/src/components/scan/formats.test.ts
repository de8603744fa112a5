import { describe, expect, it } from "vitest";
import { cleanBarcode, nativeReadsAll, PARCEL_FORMATS, zxingFormats } from "./formats";
import { createRepeatFilter } from "./repeat";

describe("nativeReadsAll", () => {
  it("uses the browser's detector when it lists every parcel format", () => {
    expect(nativeReadsAll([...PARCEL_FORMATS, "aztec", "pdf417"])).toBe(true);
  });

  it("falls back to WebAssembly when a format is missing, or when none are listed", () => {
    expect(nativeReadsAll(["qr_code", "code_128"])).toBe(false);
    expect(nativeReadsAll([])).toBe(false);
  });
});

describe("zxingFormats", () => {
  it("names the formats as zxing-wasm does", () => {
    expect(zxingFormats(["code_128", "qr_code", "data_matrix"])).toEqual(["Code128", "QRCode", "DataMatrix"]);
    expect(zxingFormats()).toHaveLength(PARCEL_FORMATS.length);
  });
});

describe("cleanBarcode", () => {
  it("drops spaces around a typed code and the separators of a GS1 label", () => {
    expect(cleanBarcode("  DS-0001 \n")).toBe("DS-0001");
    expect(cleanBarcode("0101234\u001d21ABC")).toBe("010123421ABC");
  });
});

describe("createRepeatFilter", () => {
  it("passes a code once while it stays in view", () => {
    const fresh = createRepeatFilter(1000);
    expect(fresh("A", 0)).toBe(true);
    expect(fresh("A", 250)).toBe(false);
    expect(fresh("A", 5000)).toBe(true); // out of view for over the window: a deliberate second scan
  });

  it("keeps waiting while the code is still being read", () => {
    const fresh = createRepeatFilter(1000);
    fresh("A", 0);
    for (let t = 500; t <= 3000; t += 500) expect(fresh("A", t)).toBe(false);
  });

  it("treats different codes independently", () => {
    const fresh = createRepeatFilter(1000);
    expect(fresh("A", 0)).toBe(true);
    expect(fresh("B", 100)).toBe(true);
    expect(fresh("A", 200)).toBe(false);
  });
});
