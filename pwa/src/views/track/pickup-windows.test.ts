import { describe, expect, it } from "vitest";
import { offsetMinutes, pickupDays, zonedIso } from "./pickup-windows";

describe("pickupDays", () => {
  it("offers five days from tomorrow, three windows each, in the customer's zone with its offset", () => {
    const days = pickupDays(new Date("2026-11-25T10:00:00Z"), "Europe/Helsinki");
    expect(days.map((d) => d.label)).toEqual([
      "Tomorrow, Thu 26 Nov",
      "Fri 27 Nov",
      "Sat 28 Nov",
      "Sun 29 Nov",
      "Mon 30 Nov",
    ]);
    expect(days[0]?.windows).toEqual([
      {
        id: "2026-11-26/morning",
        label: "Morning, 09:00–12:00",
        start_at: "2026-11-26T09:00:00+02:00",
        end_at: "2026-11-26T12:00:00+02:00",
      },
      {
        id: "2026-11-26/afternoon",
        label: "Afternoon, 12:00–17:00",
        start_at: "2026-11-26T12:00:00+02:00",
        end_at: "2026-11-26T17:00:00+02:00",
      },
      {
        id: "2026-11-26/evening",
        label: "Evening, 17:00–20:00",
        start_at: "2026-11-26T17:00:00+02:00",
        end_at: "2026-11-26T20:00:00+02:00",
      },
    ]);
  });

  it("counts from the customer's today, not UTC's", () => {
    // 23:30 on the 25th in Helsinki is 21:30 UTC; 01:00 on the 26th in Helsinki is still the 25th in UTC
    expect(pickupDays(new Date("2026-11-25T21:30:00Z"), "Europe/Helsinki")[0]?.date).toBe("2026-11-26");
    expect(pickupDays(new Date("2026-11-25T23:00:00Z"), "Europe/Helsinki")[0]?.date).toBe("2026-11-27");
    expect(pickupDays(new Date("2026-11-26T03:00:00Z"), "America/Los_Angeles")[0]?.date).toBe("2026-11-26");
  });

  it("keeps the wall-clock hours across a clock change, with each day's own offset", () => {
    // Europe's clocks go forward on Sunday 29 March 2026
    const days = pickupDays(new Date("2026-03-27T10:00:00Z"), "Europe/Helsinki");
    expect(days[0]?.windows[0]?.start_at).toBe("2026-03-28T09:00:00+02:00");
    expect(days[1]?.windows[0]?.start_at).toBe("2026-03-29T09:00:00+03:00");
    expect(Date.parse(days[1]?.windows[2]?.end_at ?? "")).toBe(Date.parse("2026-03-29T17:00:00Z"));
  });

  it("writes offsets behind UTC and in half hours", () => {
    expect(zonedIso({ year: 2026, month: 11, day: 26 }, 9, "America/St_Johns")).toBe("2026-11-26T09:00:00-03:30");
    expect(zonedIso({ year: 2026, month: 11, day: 26 }, 17, "Asia/Kolkata")).toBe("2026-11-26T17:00:00+05:30");
    expect(offsetMinutes(new Date("2026-07-01T12:00:00Z"), "UTC")).toBe(0);
  });
});
