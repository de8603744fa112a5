import { describe, expect, it } from "vitest";
import { isMapTile } from "./tiles";

const ORIGIN = "https://doorstep.example";

describe("isMapTile", () => {
  it("takes XYZ tile images of any tile server", () => {
    expect(isMapTile(new URL("https://tile.openstreetmap.org/15/18653/9481.png"), "image", ORIGIN)).toBe(true);
    expect(isMapTile(new URL("https://a.tiles.example/v1/12/2330/1185@2x.webp?key=k"), "image", ORIGIN)).toBe(true);
  });

  it("leaves everything else alone: our API, scripts, other images", () => {
    expect(isMapTile(new URL(`${ORIGIN}/api/media/15/1/2.png`), "image", ORIGIN)).toBe(false);
    expect(isMapTile(new URL("https://tile.openstreetmap.org/15/18653/9481.png"), "script", ORIGIN)).toBe(false);
    expect(isMapTile(new URL(`${ORIGIN}/icons/icon-192.png`), "image", ORIGIN)).toBe(false);
    expect(isMapTile(new URL(`${ORIGIN}/assets/marker-icon.png`), "image", ORIGIN)).toBe(false);
  });
});
