import { describe, expect, it } from "vitest";
import { hasHours, intervalsOf, localMoment, openState, todayHoursText, weekLines } from "./hours";

const ZONE = "Europe/Helsinki"; // UTC+2 in November
// Wednesday 25 November 2026, 12:00 in Helsinki
const WED_NOON = new Date("2026-11-25T10:00:00Z");
const at = (helsinkiIso: string) => new Date(`${helsinkiIso}+02:00`);

const HOURS = {
  mon: [["09:00", "21:00"]],
  tue: [["09:00", "21:00"]],
  wed: [
    ["13:00", "18:00"],
    ["09:00", "12:00"],
  ],
  thu: [["09:00", "21:00"]],
  fri: [["09:00", "21:00"]],
  sat: [["10:00", "18:00"]],
};

describe("opening hours", () => {
  it("reads the day in the store's zone, whatever the instant's UTC day", () => {
    expect(localMoment(WED_NOON, ZONE)).toEqual({ day: "wed", minutes: 12 * 60 });
    expect(localMoment(new Date("2026-11-25T22:30:00Z"), ZONE)).toEqual({ day: "thu", minutes: 30 });
  });

  it("gives today's hours, earliest first, or says it is closed today", () => {
    expect(todayHoursText(HOURS, at("2026-11-25T08:00:00"), ZONE)).toBe("Today 09:00–12:00, 13:00–18:00");
    expect(todayHoursText(HOURS, at("2026-11-29T12:00:00"), ZONE)).toBe("Closed today"); // a Sunday
  });

  it("says open until when, or closed and when it opens next", () => {
    expect(openState(HOURS, at("2026-11-25T10:00:00"), ZONE)).toEqual({ open: true, text: "Open now, until 12:00" });
    expect(openState(HOURS, WED_NOON, ZONE)).toEqual({ open: false, text: "Closed now, opens at 13:00" });
    expect(openState(HOURS, at("2026-11-25T18:00:00"), ZONE)).toEqual({
      open: false,
      text: "Closed now, opens tomorrow at 09:00",
    });
    expect(openState(HOURS, at("2026-11-28T19:00:00"), ZONE).text).toBe("Closed now, opens Mon at 09:00");
  });

  it("cannot say when a store gave no hours, and skips malformed ones", () => {
    expect(openState({}, WED_NOON, ZONE)).toEqual({ open: null, text: "Opening hours not listed" });
    expect(hasHours({ mon: "all day", tue: [["18:00", "09:00"], ["x", "y"]] })).toBe(false);
    expect(intervalsOf({ fri: [["22:00", "24:00"]] }, "fri")).toEqual([{ start: "22:00", end: "24:00" }]);
  });

  it("puts the week in a few lines, Monday first", () => {
    expect(weekLines(HOURS)).toEqual([
      { days: "Mon–Tue", hours: "09:00–21:00" },
      { days: "Wed", hours: "09:00–12:00, 13:00–18:00" },
      { days: "Thu–Fri", hours: "09:00–21:00" },
      { days: "Sat", hours: "10:00–18:00" },
      { days: "Sun", hours: "Closed" },
    ]);
  });
});
