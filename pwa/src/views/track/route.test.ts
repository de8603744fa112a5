import { describe, expect, it } from "vitest";
import { trackToken } from "./route";

describe("trackToken", () => {
  it("reads the token of a tracking path", () => {
    expect(trackToken("/track/71046904683e3257485cacff43225b4e")).toBe("71046904683e3257485cacff43225b4e");
    expect(trackToken("/track/abc/")).toBe("abc");
  });

  it("is empty for a tracking path without a token, and null for other screens", () => {
    expect(trackToken("/track")).toBe("");
    expect(trackToken("/track/")).toBe("");
    expect(trackToken("/track/%E0%A4%A")).toBe("");
    expect(trackToken("/tracking/abc")).toBeNull();
    expect(trackToken("/track/a/b")).toBeNull();
    expect(trackToken("/dispatch")).toBeNull();
  });
});
