import { describe, expect, it } from "vitest";
import { fitWithin, MAX_PHOTO_SIDE } from "./size";

describe("fitWithin", () => {
  it("brings a 12 MP landscape photo down to 1600 px wide", () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
  });

  it("scales a portrait photo by its height", () => {
    expect(fitWithin(3024, 4032)).toEqual({ width: 1200, height: 1600 });
  });

  it("keeps a photo that already fits as it is, never enlarging it", () => {
    expect(fitWithin(1280, 720)).toEqual({ width: 1280, height: 720 });
    expect(fitWithin(1600, 1600)).toEqual({ width: 1600, height: 1600 });
  });

  it("rounds to whole pixels without going over the limit", () => {
    const size = fitWithin(4001, 2999);
    expect(size.width).toBe(MAX_PHOTO_SIDE);
    expect(size.height).toBe(1199);
  });

  it("keeps at least one pixel for a sliver", () => {
    expect(fitWithin(10000, 1)).toEqual({ width: 1600, height: 1 });
  });

  it("gives nothing for an image without a size", () => {
    expect(fitWithin(0, 480)).toEqual({ width: 0, height: 0 });
    expect(fitWithin(Number.NaN, 480)).toEqual({ width: 0, height: 0 });
  });

  it("takes another limit", () => {
    expect(fitWithin(1000, 500, 100)).toEqual({ width: 100, height: 50 });
  });
});
