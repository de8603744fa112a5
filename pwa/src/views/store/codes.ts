// What a code read at the counter is: a customer's pickup code, a return's code, or a parcel's barcode.
// The QR codes say "DOORSTEP-PICKUP:<code>" and "DOORSTEP-RETURN:<code>"; a code typed from a phone's screen
// may have spaces, a dash or small letters. Mirrors normalize_code in backend/stores/service.py. Pure, tested.

export const PICKUP_PREFIX = "DOORSTEP-PICKUP:";
export const RETURN_PREFIX = "DOORSTEP-RETURN:";
/** The server's codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B). */
export const CODE_LENGTH = 6;

export type CodeKind = "pickup" | "return" | "plain";

export interface ReadCode {
  /** pickup or return when the QR's prefix said so; plain for anything typed or a parcel's label. */
  kind: CodeKind;
  /** The code as the server stores it: no prefix, capitals, letters and digits only. */
  code: string;
}

/** Letters and digits, in capitals: "abc-d 12" is "ABCD12". */
export function normaliseCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** What a scanned or typed text is, and its code. */
export function readCode(raw: string): ReadCode {
  const text = raw.trim();
  const upper = text.toUpperCase();
  if (upper.startsWith(PICKUP_PREFIX)) return { kind: "pickup", code: normaliseCode(text.slice(PICKUP_PREFIX.length)) };
  if (upper.startsWith(RETURN_PREFIX)) return { kind: "return", code: normaliseCode(text.slice(RETURN_PREFIX.length)) };
  return { kind: "plain", code: normaliseCode(text) };
}

/** "ABC123" as "ABC 123": easier to read back to a customer. Other lengths are left as they are. */
export function spacedCode(code: string): string {
  return code.length === CODE_LENGTH ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/**
 * Why a code read at a screen belongs to another screen, or null when it is this screen's: a customer's
 * pickup QR held to the returns scanner, a return's QR at the counter, a pickup QR while shelving parcels.
 */
export function wrongScreenText(kind: CodeKind, screen: "counter" | "scan-in" | "returns"): string | null {
  if (kind === "return" && screen !== "returns") return "This is a return's code. Take it in under Returns.";
  if (kind === "pickup" && screen === "returns") {
    return "This is a customer's pickup code. Hand it over at the Counter.";
  }
  if (kind === "pickup" && screen === "scan-in") {
    return "This is a customer's pickup code, not a parcel label. Hand it over at the Counter.";
  }
  return null;
}
