import { describe, expect, it } from "vitest";
import { normaliseCode, readCode, spacedCode, wrongScreenText } from "./codes";

describe("codes", () => {
  it("reads a customer's pickup QR as its code", () => {
    expect(readCode("DOORSTEP-PICKUP:ACD347")).toEqual({ kind: "pickup", code: "ACD347" });
    expect(readCode("  doorstep-pickup:acd347 \n")).toEqual({ kind: "pickup", code: "ACD347" });
  });

  it("reads a return's QR as its code", () => {
    expect(readCode("DOORSTEP-RETURN:XKM4TP")).toEqual({ kind: "return", code: "XKM4TP" });
  });

  it("takes a typed code with spaces, a dash or small letters as the server stores it", () => {
    expect(readCode("acd 347")).toEqual({ kind: "plain", code: "ACD347" });
    expect(readCode("ACD-347")).toEqual({ kind: "plain", code: "ACD347" });
    expect(normaliseCode(" a.c/d 3-4_7 ")).toBe("ACD347");
  });

  it("spaces a six-character code for reading aloud and leaves other lengths alone", () => {
    expect(spacedCode("ACD347")).toBe("ACD 347");
    expect(spacedCode("PK1")).toBe("PK1");
  });

  it("says which screen a code belongs to when it was read at the wrong one", () => {
    expect(wrongScreenText("return", "counter")).toMatch(/return's code.*Returns/);
    expect(wrongScreenText("pickup", "returns")).toMatch(/pickup code.*Counter/);
    expect(wrongScreenText("pickup", "scan-in")).toMatch(/not a parcel label/);
    expect(wrongScreenText("return", "scan-in")).toMatch(/Returns/);
    expect(wrongScreenText("pickup", "counter")).toBeNull();
    expect(wrongScreenText("return", "returns")).toBeNull();
    expect(wrongScreenText("plain", "counter")).toBeNull();
    expect(wrongScreenText("plain", "scan-in")).toBeNull();
  });
});
