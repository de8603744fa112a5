import { describe, expect, it } from "vitest";
import { mapsPlatform, navigationUrl } from "./navigation";

const ANDROID =
  "Mozilla/5.0 (Linux; Android 13; SM-A145R) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const IPAD_AS_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

describe("mapsPlatform", () => {
  it("tells Android, iPhone and the rest apart", () => {
    expect(mapsPlatform(ANDROID)).toBe("android");
    expect(mapsPlatform(IPHONE)).toBe("ios");
    expect(mapsPlatform(LINUX)).toBe("other");
  });

  it("takes an iPad that says it is a Mac for iOS, by its touch screen", () => {
    expect(mapsPlatform(IPAD_AS_MAC, 5)).toBe("ios");
    expect(mapsPlatform(IPAD_AS_MAC, 0)).toBe("other");
  });
});

describe("navigationUrl", () => {
  const place = { lat: 60.170000000000002, lon: 24.9384123456 };

  it("opens a geo: pin with the stop's label on Android", () => {
    expect(navigationUrl("android", place, "Stop 7 Anna Virtanen")).toBe(
      "geo:60.17,24.938412?q=60.17,24.938412(Stop%207%20Anna%20Virtanen)",
    );
  });

  it("keeps brackets in a label from ending the geo: label early", () => {
    expect(navigationUrl("android", { lat: 1, lon: 2 }, "Oy Ab (office)")).toBe(
      "geo:1,2?q=1,2(Oy%20Ab%20%28office%29)",
    );
  });

  it("leaves the label out on Android when there is none", () => {
    expect(navigationUrl("android", { lat: 1, lon: 2 }, " ")).toBe("geo:1,2?q=1,2");
  });

  it("asks Apple Maps for directions on iOS", () => {
    expect(navigationUrl("ios", place, "ignored")).toBe("https://maps.apple.com/?daddr=60.17,24.938412");
  });

  it("asks Google Maps for directions anywhere else", () => {
    expect(navigationUrl("other", { lat: -33.8688, lon: 151.2093 }, "x")).toBe(
      "https://www.google.com/maps/dir/?api=1&destination=-33.8688,151.2093",
    );
  });
});
