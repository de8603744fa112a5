import { describe, expect, it } from "vitest";
import type { KpiGroup, Kpis } from "../../api/analytics";
import {
  addDays,
  barChart,
  chartRows,
  chartSummary,
  dayLabel,
  fitLabel,
  formatDistance,
  formatHours,
  formatPercent,
  hasActivity,
  metricById,
  periodText,
  reportPeriod,
  tiles,
  type ChartLayout,
} from "./reports";

const NOTHING: Kpis = {
  stops_completed: 0,
  stops_failed: 0,
  stops_with_window: 0,
  stops_on_time: 0,
  on_time_rate: null,
  first_attempts: 0,
  first_attempt_successes: 0,
  first_attempt_rate: null,
  routes: 0,
  route_hours: 0,
  stops_per_hour: null,
  distance_km: 0,
  co2_kg: 0,
  eta_error_stops: 0,
  eta_error_mean_min: null,
  eta_error_median_min: null,
  plan_error_stops: 0,
  plan_error_mean_min: null,
  plan_error_median_min: null,
  deliveries: 0,
  returns: 0,
  returns_rate: null,
  pickups_handed_over: 0,
  pickup_wait_median_h: null,
  pickup_wait_p90_h: null,
};

// The backend's test data set (tests/analytics/test_kpis.py), 2026-03-02 to 03-03
const PERIOD: Kpis = {
  ...NOTHING,
  stops_completed: 9,
  stops_failed: 2,
  stops_with_window: 6,
  stops_on_time: 4,
  on_time_rate: 0.6667,
  first_attempts: 7,
  first_attempt_successes: 5,
  first_attempt_rate: 0.7143,
  routes: 3,
  route_hours: 9.5,
  stops_per_hour: 0.95,
  distance_km: 81,
  co2_kg: 14.4,
  eta_error_stops: 8,
  eta_error_mean_min: 15.6,
  eta_error_median_min: 5.5,
  plan_error_stops: 11,
  plan_error_mean_min: 19.1,
  plan_error_median_min: 15,
  deliveries: 7,
  returns: 2,
  returns_rate: 0.2857,
  pickups_handed_over: 3,
  pickup_wait_median_h: 2,
  pickup_wait_p90_h: 24,
};

function group(label: string, overrides: Partial<Kpis>): KpiGroup {
  return { ...NOTHING, key: label.toLowerCase(), label, ...overrides };
}

describe("the days a view covers", () => {
  it("adds calendar days across months and years", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("is the shown day, or the seven days up to it but never past today", () => {
    expect(reportPeriod("day", "2026-11-26", "2026-11-25")).toEqual({ from: "2026-11-26", to: "2026-11-26" });
    expect(reportPeriod("week", "2026-11-25", "2026-11-25")).toEqual({ from: "2026-11-19", to: "2026-11-25" });
    // the screen shows tomorrow in the afternoon: the week is the one up to today
    expect(reportPeriod("week", "2026-11-26", "2026-11-25")).toEqual({ from: "2026-11-19", to: "2026-11-25" });
    expect(reportPeriod("week", "2026-11-20", "2026-11-25")).toEqual({ from: "2026-11-14", to: "2026-11-20" });
  });

  it("names a day with its weekday, and a period by its ends", () => {
    expect(dayLabel("2026-03-02")).toBe("Mon 2 Mar");
    expect(periodText("2026-11-26", "2026-11-26")).toBe("Thu, 26 Nov 2026");
    expect(periodText("2026-11-20", "2026-11-26")).toBe("Fri 20 Nov – Thu 26 Nov 2026");
    expect(periodText("2026-12-28", "2027-01-03")).toBe("Mon 28 Dec 2026 – Sun 3 Jan 2027");
  });
});

describe("figures in words", () => {
  it("writes rates, hours and distances", () => {
    expect(formatPercent(0.6667)).toBe("67%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(null)).toBe("–");
    expect(formatHours(0.25)).toBe("15 min");
    expect(formatHours(24)).toBe("24.0 h");
    expect(formatDistance(9)).toBe("9.0 km");
    expect(formatDistance(81)).toBe("81 km");
  });

  it("makes a tile of each KPI", () => {
    const byId = Object.fromEntries(tiles(PERIOD).map((t) => [t.id, t]));
    expect(byId["stops"]).toMatchObject({ value: "9", detail: "2 failed" });
    expect(byId["on_time"]).toMatchObject({ value: "67%", detail: "4 of 6 stops with a time window" });
    expect(byId["first_attempt"]).toMatchObject({ value: "71%", detail: "5 of 7 deliveries" });
    expect(byId["stops_per_hour"]).toMatchObject({ value: "0.9", detail: "9.5 h on the road, 3 routes" });
    expect(byId["distance"]).toMatchObject({ value: "81 km", detail: "about 14.4 kg CO₂" });
    expect(byId["eta"]).toMatchObject({
      label: "ETA error",
      value: "5.5 min",
      detail: "median of 8 stops; mean 15.6 min",
    });
    expect(byId["returns"]).toMatchObject({ value: "29%", detail: "2 returns for 7 delivered" });
    expect(byId["pickup_wait"]).toMatchObject({ value: "2.0 h", detail: "median of 3 pickups; 90% within 24.0 h" });
  });

  it("falls back to the plan's error when no shown ETA was kept, and says when there is nothing", () => {
    const planOnly = { ...NOTHING, plan_error_stops: 1, plan_error_median_min: 4, plan_error_mean_min: 4 };
    expect(tiles(planOnly).find((t) => t.id === "eta")).toMatchObject({ label: "Plan error", value: "4.0 min" });
    const empty = Object.fromEntries(tiles(NOTHING).map((t) => [t.id, t]));
    expect(empty["eta"]?.value).toBe("–");
    expect(empty["on_time"]?.detail).toBe("no stop with a time window reached");
    expect(empty["stops_per_hour"]?.detail).toBe("no route started");
    expect(hasActivity(NOTHING)).toBe(false);
    expect(hasActivity({ ...NOTHING, routes: 1 })).toBe(true);
  });
});

describe("bar charts", () => {
  const layout: ChartLayout = { width: 300, rowHeight: 30, labelWidth: 100, valueWidth: 50, charWidth: 8 };

  it("scales counts to the largest and rates to 100 %", () => {
    const stops = metricById("stops");
    const chart = barChart(
      [
        { label: "Anna", value: 7 },
        { label: "Bob", value: 2 },
      ],
      stops,
      layout,
    );
    expect(chart).toMatchObject({ width: 300, height: 60 });
    // 150 px for bars: 7 is the whole of it, 2 is 2/7 of it
    expect(chart.bars.map((b) => [b.y, b.barX, b.barWidth, b.valueText])).toEqual([
      [0, 100, 150, "7"],
      [30, 100, 42.9, "2"],
    ]);
    expect(chart.bars[1]).toMatchObject({ barY: 36, barHeight: 18, textY: 50, valueX: 148.9 });
    const rates = barChart([{ label: "Anna", value: 0.8 }], metricById("on_time"), layout);
    expect(rates.bars[0]).toMatchObject({ barWidth: 120, valueText: "80%" });
  });

  it("draws no bar for a missing value and nothing silly for all zeros", () => {
    const chart = barChart(
      [
        { label: "Anna", value: null },
        { label: "Bob", value: 0 },
      ],
      metricById("stops_per_hour"),
      layout,
    );
    expect(chart.bars.map((b) => [b.barWidth, b.valueText])).toEqual([
      [0, "–"],
      [0, "0.0"],
    ]);
  });

  it("shortens long names to fit and keeps the whole name", () => {
    const chart = barChart([{ label: "Maximiliana Wolfeschlegel", value: 1 }], metricById("stops"), layout);
    expect(chart.bars[0]).toMatchObject({ label: "Maximilian…", fullLabel: "Maximiliana Wolfeschlegel" });
    expect(fitLabel("Ann", 3)).toBe("Ann");
  });

  it("says the chart in a sentence, with the rows of the groups", () => {
    const onTime = metricById("on_time");
    const rows = chartRows([group("Anna", { on_time_rate: 0.8 }), group("Bob", { on_time_rate: null })], onTime);
    expect(chartSummary("On time per driver", rows, onTime)).toBe("On time per driver: Anna 80%, Bob –.");
    expect(chartSummary("On time per driver", [], onTime)).toBe("On time per driver: nothing to show.");
    expect(metricById("nonsense").id).toBe("stops");
  });
});
