import { describe, expect, it } from "vitest";
import { isStorePath, tabOf } from "./tabs";

describe("store tabs", () => {
  it("names the tab an address shows, the counter by default", () => {
    expect(tabOf("/store")).toBe("counter");
    expect(tabOf("/store/")).toBe("counter");
    expect(tabOf("/store/scan-in")).toBe("scan-in");
    expect(tabOf("/store/lists/")).toBe("lists");
    expect(tabOf("/store/returns")).toBe("returns");
    expect(tabOf("/store/nonsense")).toBe("counter");
  });

  it("knows the store's addresses from others", () => {
    expect(isStorePath("/store")).toBe(true);
    expect(isStorePath("/store/returns")).toBe(true);
    expect(isStorePath("/stores")).toBe(false);
    expect(isStorePath("/driver")).toBe(false);
  });
});
