import { describe, expect, it } from "vitest";
import { clickTarget, DEFAULT_TITLE, noticeFromPayload, pageKey, samePage, tokenOfScope, webUrl } from "./track-push";

const PAGE = "https://track.example/track/tok_123";

describe("noticeFromPayload", () => {
  it("shows the server's title and body and carries its url (backend/notifications/channels/push.py)", () => {
    const payload = JSON.stringify({
      title: "Kamppi store",
      body: "Your order A-1 was delivered. The proof photo is on your tracking page.",
      url: "https://track.example/track/tok_999",
    });
    const notice = noticeFromPayload(payload, PAGE);
    expect(notice.title).toBe("Kamppi store");
    expect(notice.options.body).toBe("Your order A-1 was delivered. The proof photo is on your tracking page.");
    expect(notice.options.data).toEqual({ url: "https://track.example/track/tok_999" });
    // one notice per order on screen: the next replaces it, and still rings
    expect(notice.options.tag).toBe("doorstep:https://track.example/track/tok_999");
    expect(notice.options.renotify).toBe(true);
    expect(notice.options.icon).toBe("/icons/icon-192.png");
  });

  it("opens the worker's own tracking page when the payload names none, or a bad one", () => {
    for (const url of [undefined, null, "", "javascript:alert(1)", "data:text/html,hi", 42]) {
      const notice = noticeFromPayload(JSON.stringify({ title: "Shop", body: "News", url }), PAGE);
      expect(notice.options.data.url).toBe(PAGE);
      expect(notice.options.tag).toBe(`doorstep:${PAGE}`);
    }
  });

  it("keeps a tag the server sends and resolves a relative url against the page", () => {
    const notice = noticeFromPayload(JSON.stringify({ title: "t", body: "b", url: "/track/other", tag: "o-1" }), PAGE);
    expect(notice.options.tag).toBe("o-1");
    expect(notice.options.data.url).toBe("https://track.example/track/other");
  });

  it("still shows something for a payload that is empty, not JSON, or not an object", () => {
    expect(noticeFromPayload(null, PAGE)).toMatchObject({ title: DEFAULT_TITLE, options: { body: "", data: { url: PAGE } } });
    expect(noticeFromPayload("plain words", PAGE)).toMatchObject({ title: DEFAULT_TITLE, options: { body: "plain words" } });
    expect(noticeFromPayload('"a string"', PAGE).options.body).toBe("a string");
    expect(noticeFromPayload("[1,2]", PAGE).title).toBe(DEFAULT_TITLE);
    expect(noticeFromPayload(JSON.stringify({ title: "   ", body: 7 }), PAGE)).toMatchObject({
      title: DEFAULT_TITLE,
      options: { body: "" },
    });
  });

  it("caps very long texts", () => {
    const notice = noticeFromPayload(JSON.stringify({ title: "x".repeat(500), body: "y".repeat(5000) }), PAGE);
    expect(notice.title).toHaveLength(200);
    expect(notice.options.body).toHaveLength(1000);
  });
});

describe("a tap on a notification", () => {
  it("goes to the url the notification carries, else the worker's page", () => {
    expect(clickTarget({ url: "https://track.example/track/tok_9" }, PAGE)).toBe("https://track.example/track/tok_9");
    expect(clickTarget({ url: "javascript:void 0" }, PAGE)).toBe(PAGE);
    expect(clickTarget(null, PAGE)).toBe(PAGE);
    expect(clickTarget("nonsense", PAGE)).toBe(PAGE);
  });

  it("finds the tab already showing that page, whatever its fragment, query or final slash", () => {
    expect(samePage("https://track.example/track/tok_1/#map", "https://track.example/track/tok_1")).toBe(true);
    expect(samePage("https://track.example/track/tok_1?x=1", "https://track.example/track/tok_1")).toBe(true);
    expect(samePage("https://track.example/track/tok_2", "https://track.example/track/tok_1")).toBe(false);
    expect(samePage("https://other.example/track/tok_1", "https://track.example/track/tok_1")).toBe(false);
    expect(pageKey("not a url")).toBe("not a url");
  });

  it("only opens web pages", () => {
    expect(webUrl("https://a.example/x", PAGE)).toBe("https://a.example/x");
    expect(webUrl("ftp://a.example/x", PAGE)).toBeNull();
    expect(webUrl("http://[bad", PAGE)).toBeNull();
  });
});

describe("tokenOfScope", () => {
  it("reads the tracking link out of the worker's scope", () => {
    expect(tokenOfScope("https://track.example/track/tok_123")).toBe("tok_123");
    expect(tokenOfScope("https://track.example/track/a%2Bb/")).toBe("a+b");
    expect(tokenOfScope("https://track.example/track/")).toBeNull();
    expect(tokenOfScope("https://track.example/")).toBeNull();
    expect(tokenOfScope("nonsense")).toBeNull();
  });
});
