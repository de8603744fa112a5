import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import { base64UrlToBytes, deviceOf, pushPhase, pushScope, showsPushCard } from "./push";
import { supportsPush } from "./push-support";
import { pushErrorMessage, pushWords, type PushPhase } from "./push-wording";

describe("base64UrlToBytes", () => {
  it("decodes a VAPID public key as the server sends it (base64url, no padding)", () => {
    // 65 bytes: 0x04 then x and y, as backend/notifications/channels/vapid.py encodes the point
    const point = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : (i * 37) % 256));
    const encoded = btoa(String.fromCharCode(...point)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    expect(encoded).not.toContain("=");
    expect(Array.from(base64UrlToBytes(encoded))).toEqual(Array.from(point));
  });

  it("reads the url-safe letters, with or without padding", () => {
    expect(Array.from(base64UrlToBytes("-_8"))).toEqual([0xfb, 0xff]);
    expect(Array.from(base64UrlToBytes("-_8="))).toEqual([0xfb, 0xff]);
    expect(Array.from(base64UrlToBytes("AQID"))).toEqual([1, 2, 3]);
    expect(Array.from(base64UrlToBytes(""))).toEqual([]);
  });

  it("refuses what is not base64url", () => {
    expect(() => base64UrlToBytes("a+b/")).toThrow();
    expect(() => base64UrlToBytes("abcde")).toThrow(); // a length no encoding gives
    expect(() => base64UrlToBytes("ab cd")).toThrow();
  });
});

describe("whether and how the card shows", () => {
  const all = { serviceWorker: true, pushManager: true, notification: true, secureContext: true };

  it("needs service workers, the Push API, notifications and a secure page", () => {
    expect(supportsPush(all)).toBe(true);
    for (const missing of ["serviceWorker", "pushManager", "notification", "secureContext"] as const) {
      expect(supportsPush({ ...all, [missing]: false })).toBe(false);
    }
  });

  it("is on only while the browser allows notices and the server has this browser", () => {
    expect(pushPhase({ supported: false, permission: "granted", subscribedHere: true })).toBe("unsupported");
    expect(pushPhase({ supported: true, permission: "granted", subscribedHere: true })).toBe("on");
    expect(pushPhase({ supported: true, permission: "granted", subscribedHere: false })).toBe("off");
    expect(pushPhase({ supported: true, permission: "default", subscribedHere: false })).toBe("off");
    expect(pushPhase({ supported: true, permission: "default", subscribedHere: true })).toBe("off");
    expect(pushPhase({ supported: true, permission: "denied", subscribedHere: true })).toBe("blocked");
    expect(pushPhase({ supported: true, permission: "denied", subscribedHere: false })).toBe("blocked");
  });

  it("shows while the order may still send notices, and once closed only to turn them off", () => {
    const phases: PushPhase[] = ["unsupported", "checking", "off", "on", "blocked", "turning-on", "turning-off"];
    expect(phases.filter((p) => showsPushCard(p, false))).toEqual(["off", "on", "blocked", "turning-on", "turning-off"]);
    expect(phases.filter((p) => showsPushCard(p, true))).toEqual(["on", "turning-off"]);
  });

  it("registers each link's worker on its own page's path", () => {
    expect(pushScope("tok_1", "https://track.example")).toBe("https://track.example/track/tok_1");
    expect(pushScope("a/b", "https://track.example")).toBe("https://track.example/track/a%2Fb");
  });
});

describe("what the card says", () => {
  it("names the device and offers the right button in each state", () => {
    expect(pushWords("off", deviceOf(true))).toMatchObject({
      heading: "Get notified on this phone",
      button: "Turn on notifications",
      hint: null,
    });
    expect(pushWords("off", deviceOf(false)).heading).toBe("Get notified in this browser");
    expect(pushWords("turning-on", "phone").button).toBe("Turning on…");
    expect(pushWords("on", "phone")).toMatchObject({ heading: "Notifications are on", button: "Turn off notifications" });
    expect(pushWords("on", "phone").text).toContain("on this phone");
    expect(pushWords("turning-off", "phone").button).toBe("Turning off…");
    const blocked = pushWords("blocked", "phone");
    expect(blocked.button).toBeNull();
    expect(blocked.hint).toContain("allow Notifications, then reload this page");
  });

  it("says why turning on or off did not work", () => {
    const tooMany = new ApiError({
      status: 409,
      problem: { type: "https://doorstep.dev/problems/too-many-push-subscriptions", max_subscriptions: 5 },
    });
    expect(pushErrorMessage(tooMany, "on")).toBe(
      "This delivery already sends notices to 5 devices. Turn them off on one of those first.",
    );
    expect(pushErrorMessage(new ApiError({ status: 410, problem: {} }), "on")).toContain("expired");
    expect(pushErrorMessage(new ApiError({ status: 404, problem: {} }), "on")).toContain("no longer works");
    expect(pushErrorMessage(new NetworkError("down"), "off")).toContain("Check your connection");
    expect(pushErrorMessage(new DOMException("push service error", "AbortError"), "on")).toBe(
      "Your browser couldn't turn notifications on. Try again in a moment.",
    );
    expect(pushErrorMessage(new Error("x"), "off")).toContain("turn notifications off");
  });
});
