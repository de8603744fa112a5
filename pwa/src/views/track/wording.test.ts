import { describe, expect, it } from "vitest";
import type { TrackingView } from "../../api/tracking";
import { dayWords, driverNote, etaText, formatRange, headline, showsEta, statusLabel, stopsAwayText } from "./wording";

const ZONE = "Europe/Helsinki"; // UTC+2 in November
const NOW = new Date("2026-11-25T10:00:00Z"); // 12:00 in Helsinki

function view(status: string, stopsAway: number | null = null, timeline: TrackingView["timeline"] = []) {
  return { status, stops_away: stopsAway, timeline, closed_at: null, kind: "delivery" };
}

describe("etaText", () => {
  const window = { eta_at: "2026-11-25T12:15:00Z", earliest_at: "2026-11-25T12:10:00Z", latest_at: "2026-11-25T12:25:00Z" };

  it("gives the live window in the customer's clock", () => {
    expect(etaText({ ...window, live: true }, NOW, ZONE)).toBe("Arriving 14:10–14:25");
  });

  it("says planned while the time is the plan's", () => {
    expect(etaText({ ...window, live: false }, NOW, ZONE)).toBe("Planned for 14:10–14:25");
  });

  it("names the day when it is not today, and a single time when both ends are the same minute", () => {
    const tomorrow = { eta_at: "2026-11-26T07:00:00Z", earliest_at: "2026-11-26T07:00:10Z", latest_at: "2026-11-26T07:00:40Z" };
    expect(etaText({ ...tomorrow, live: false }, NOW, ZONE)).toBe("Planned for tomorrow 09:00");
  });

  it("does not show a live window that has passed", () => {
    const past = { eta_at: "2026-11-25T09:50:00Z", earliest_at: "2026-11-25T09:45:00Z", latest_at: "2026-11-25T09:55:00Z" };
    expect(etaText({ ...past, live: true }, NOW, ZONE)).toBe("Arriving soon");
  });
});

describe("stopsAwayText", () => {
  it("counts the stops before theirs", () => {
    expect(stopsAwayText(0)).toBe("You're the next stop");
    expect(stopsAwayText(1)).toBe("1 stop away");
    expect(stopsAwayText(4)).toBe("4 stops away");
    expect(stopsAwayText(null)).toBe("");
  });
});

describe("headline", () => {
  it("says how close the driver is while the parcel is out", () => {
    expect(headline(view("out_for_delivery", 5), NOW, ZONE).title).toBe("On its way");
    expect(headline(view("out_for_delivery", 2), NOW, ZONE).title).toBe("Your driver is close — 2 stops away");
    expect(headline(view("out_for_delivery", 0), NOW, ZONE).title).toBe("On its way to you");
    expect(headline(view("arriving", 0), NOW, ZONE).title).toBe("Your driver is almost there");
    expect(headline(view("arriving", 1), NOW, ZONE).title).toBe("Your driver is close — 1 stop away");
  });

  it("gives the time of delivery, with the day when it was not today", () => {
    const today = view("delivered", null, [
      { status: "out_for_delivery", at: "2026-11-25T09:00:00Z" },
      { status: "delivered", at: "2026-11-25T09:32:00Z" },
    ]);
    expect(headline(today, NOW, ZONE).title).toBe("Delivered at 11:32");
    const before = view("delivered", null, [{ status: "delivered", at: "2026-11-24T09:32:00Z" }]);
    expect(headline(before, NOW, ZONE).title).toBe("Delivered yesterday at 11:32");
    const earlier = view("delivered", null, [{ status: "delivered", at: "2026-11-20T09:32:00Z" }]);
    expect(headline(earlier, NOW, ZONE).title).toBe("Delivered on Fri 20 Nov at 11:32");
  });

  it("has words for the other statuses, and makes some of a status it does not know", () => {
    expect(headline(view("planned"), NOW, ZONE).title).toBe("Delivery planned");
    expect(headline(view("failed"), NOW, ZONE).title).toBe("We couldn't deliver your parcel");
    expect(headline(view("cancelled"), NOW, ZONE).title).toBe("This delivery was cancelled");
    expect(headline(view("held_at_customs"), NOW, ZONE).title).toBe("Held at customs");
  });
});

describe("the rest", () => {
  it("labels timeline steps", () => {
    expect(statusLabel("out_for_delivery")).toBe("Out for delivery");
    expect(statusLabel("something_new")).toBe("Something new");
  });

  it("names days from today", () => {
    expect(dayWords("2026-11-25T21:00:00Z", NOW, ZONE)).toBe(""); // 23:00 in Helsinki: still today
    expect(dayWords("2026-11-25T22:30:00Z", NOW, ZONE)).toBe("tomorrow");
    expect(formatRange("2026-11-25T08:00:00Z", "2026-11-25T10:00:00Z", NOW, ZONE)).toBe("10:00–12:00");
  });

  it("shows no ETA once the order is closed", () => {
    const eta = { eta_at: "x", earliest_at: "x", latest_at: "x", live: true };
    expect(showsEta({ status: "out_for_delivery", eta })).toBe(true);
    expect(showsEta({ status: "delivered", eta })).toBe(false);
    expect(showsEta({ status: "planned", eta: null })).toBe(false);
  });
});

describe("driverNote", () => {
  it("says whose position it is and how fresh", () => {
    expect(driverNote("Dave", { at: "2026-11-25T09:59:30Z" }, NOW, ZONE)).toBe("Dave's position at 11:59.");
    expect(driverNote(null, { at: "2026-11-25T09:50:00Z" }, NOW, ZONE)).toBe("Your driver's last known position, from 11:50.");
    expect(driverNote("Dave", null, NOW, ZONE)).toBe("You'll see your driver on the map when yours is the next stop.");
  });
});
