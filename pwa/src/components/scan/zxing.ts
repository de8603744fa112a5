// The WebAssembly barcode reader (zxing-wasm), loaded only when a scanner opens (reader.ts imports this
// module dynamically). Its .wasm comes from our own build, never the library's default CDN, so scanning
// works offline once the service worker has precached it.
import { prepareZXingModule, readBarcodes, type ReadInputBarcodeFormat } from "zxing-wasm/reader";
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";

prepareZXingModule({
  overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) },
});

/** The codes in one camera frame. */
export async function readFrame(frame: ImageData, formats: string[]): Promise<string[]> {
  const results = await readBarcodes(frame, {
    formats: formats as ReadInputBarcodeFormat[], // names from formats.ts, which the tests hold to zxing's
    tryHarder: true,
    maxNumberOfSymbols: 4,
  });
  return results.filter((result) => result.isValid).map((result) => result.text);
}
