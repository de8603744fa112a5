import { describe, expect, it, vi } from "vitest";
import { herePosition } from "./here-position";

function geo(behaviour: (ok: PositionCallback, fail: PositionErrorCallback) => void) {
  return { getCurrentPosition: vi.fn((ok: PositionCallback, fail?: PositionErrorCallback | null) => behaviour(ok, fail!)) };
}

function fix(latitude: number, longitude: number): GeolocationPosition {
  return { coords: { latitude, longitude } } as GeolocationPosition;
}

describe("I'm here with a position", () => {
  it("gives the fix when the customer allows it", async () => {
    expect(await herePosition(geo((ok) => ok(fix(60.17, 24.93))))).toEqual({ lat: 60.17, lon: 24.93 });
  });

  it("goes without a position when refused, absent, broken or nonsense", async () => {
    const refused = { code: 1, message: "denied" } as GeolocationPositionError;
    expect(await herePosition(geo((_ok, fail) => fail(refused)))).toBeNull();
    expect(await herePosition(undefined)).toBeNull();
    expect(
      await herePosition(
        geo(() => {
          throw new Error("insecure origin");
        }),
      ),
    ).toBeNull();
    expect(await herePosition(geo((ok) => ok(fix(Number.NaN, 24.9))))).toBeNull();
    expect(await herePosition(geo((ok) => ok(fix(95, 24.9))))).toBeNull();
  });

  it("does not keep the customer waiting for a slow fix", async () => {
    vi.useFakeTimers();
    try {
      const pending = herePosition(geo(() => undefined), 6000);
      vi.advanceTimersByTime(6000);
      expect(await pending).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
