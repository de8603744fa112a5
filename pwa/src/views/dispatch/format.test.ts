import { describe, expect, it } from "vitest";
import {
  count,
  dateIn,
  formatClock,
  formatDuration,
  formatKm,
  formatLongDate,
  formatWindow,
  isoDuration,
  planningDayIn,
  todayIn,
  zonedTimeToIso,
} from "./format";

describe("distances and durations", () => {
  it("writes a tenth of a kilometre under 100 km and whole kilometres above", () => {
    expect(formatKm(5_040)).toBe("5.0 km");
    expect(formatKm(123_456)).toBe("123 km");
    expect(formatKm(-3)).toBe("0.0 km");
  });

  it("writes minutes, then hours and minutes", () => {
    expect(formatDuration(20)).toBe("0 min");
    expect(formatDuration(22 * 60)).toBe("22 min");
    expect(formatDuration(65 * 60)).toBe("1 h 5 min");
    expect(formatDuration(7_200)).toBe("2 h");
    expect(isoDuration(65 * 60)).toBe("PT1H5M");
  });

  it("counts in the singular and the plural", () => {
    expect(count(1, "route")).toBe("1 route");
    expect(count(0, "order")).toBe("0 orders");
    expect(count(2, "ETA")).toBe("2 ETAs");
  });
});

describe("clock times in the organization's time zone", () => {
  it("shows an instant as the organization's wall clock", () => {
    expect(formatClock("2026-11-25T07:30:00Z", "Europe/Helsinki")).toBe("09:30");
    expect(formatClock("2026-07-01T07:30:00Z", "Europe/Helsinki")).toBe("10:30");
    expect(formatClock(null, "Europe/Helsinki")).toBe("");
    expect(formatClock("not a time", "UTC")).toBe("");
  });

  it("knows which day an instant falls on there", () => {
    expect(dateIn("2026-11-25T22:30:00Z", "Europe/Helsinki")).toBe("2026-11-26");
    expect(todayIn("Europe/Helsinki", new Date("2026-11-25T22:30:00Z"))).toBe("2026-11-26");
    expect(todayIn("UTC", new Date("2026-11-25T22:30:00Z"))).toBe("2026-11-25");
  });

  it("opens on today in the morning and on tomorrow from 15:00, in the organization's zone", () => {
    expect(planningDayIn("Europe/Helsinki", new Date("2026-11-25T06:00:00Z"))).toBe("2026-11-25");
    expect(planningDayIn("Europe/Helsinki", new Date("2026-11-25T12:59:00Z"))).toBe("2026-11-25");
    expect(planningDayIn("Europe/Helsinki", new Date("2026-11-25T13:00:00Z"))).toBe("2026-11-26");
    expect(planningDayIn("Europe/Helsinki", new Date("2026-11-25T22:30:00Z"))).toBe("2026-11-26");
    expect(planningDayIn("Pacific/Honolulu", new Date("2026-11-25T22:30:00Z"))).toBe("2026-11-25");
  });

  it("writes a window on the day planned without its date, on another day with it", () => {
    const start = "2026-11-25T08:00:00Z";
    const end = "2026-11-25T10:00:00Z";
    expect(formatWindow(start, end, "2026-11-25", "Europe/Helsinki")).toBe("10:00–12:00");
    expect(formatWindow(start, end, "2026-11-24", "Europe/Helsinki")).toBe("25 Nov 10:00–12:00");
    expect(formatWindow(null, null, "2026-11-25", "UTC")).toBe("Any time");
  });

  it("names the day in a heading", () => {
    expect(formatLongDate("2026-11-25")).toBe("Wed, 25 Nov 2026");
    expect(formatLongDate("nonsense")).toBe("nonsense");
  });
});

describe("zonedTimeToIso", () => {
  it("turns a wall-clock time of the organization into an instant, winter and summer", () => {
    expect(zonedTimeToIso("2026-11-25", "09:30", "Europe/Helsinki")).toBe("2026-11-25T07:30:00.000Z");
    expect(zonedTimeToIso("2026-07-01", "09:30", "Europe/Helsinki")).toBe("2026-07-01T06:30:00.000Z");
    expect(zonedTimeToIso("2026-11-25", "09:30", "UTC")).toBe("2026-11-25T09:30:00.000Z");
    expect(zonedTimeToIso("2026-11-25", "09:30", "America/New_York")).toBe("2026-11-25T14:30:00.000Z");
  });

  it("round-trips through formatClock on the days clocks change", () => {
    for (const day of ["2026-03-29", "2026-10-25"]) {
      for (const time of ["01:00", "05:00", "12:00", "23:30"]) {
        expect(formatClock(zonedTimeToIso(day, time, "Europe/Helsinki"), "Europe/Helsinki")).toBe(time);
      }
    }
  });
});
