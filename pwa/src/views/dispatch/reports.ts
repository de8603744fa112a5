// The Reports panel's arithmetic: which days a view covers, how each figure is written, and the geometry of
// its bar charts. Pure, so it is tested; ReportsPanel.tsx only draws what this returns.
import type { KpiGroup, Kpis } from "../../api/analytics";
import { formatLongDate, formatShortDate } from "./format";

/** The day shown on the dispatch screen, or the seven days up to it. */
export type ReportRange = "day" | "week";
export const WEEK_DAYS = 7;

/** "2026-11-25" plus `days` (negative goes back), in calendar days. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * The days a view covers: the shown day alone, or the week up to it. A week never runs past today (the
 * screen opens on tomorrow in the afternoon, for planning; the week of figures is the one just done).
 */
export function reportPeriod(range: ReportRange, shownDay: string, today: string): { from: string; to: string } {
  if (range === "day") return { from: shownDay, to: shownDay };
  const to = shownDay < today ? shownDay : today;
  return { from: addDays(to, -(WEEK_DAYS - 1)), to };
}

/** "Mon 23 Nov" for a YYYY-MM-DD day: a chart's row. */
export function dayLabel(date: string): string {
  const weekday = new Intl.DateTimeFormat("en-GB", { weekday: "short", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
  return `${weekday} ${formatShortDate(date)}`;
}

/** What a report covers: "Thu, 26 Nov 2026", or "Fri 20 Nov – Thu 26 Nov 2026" for several days. */
export function periodText(from: string, to: string): string {
  if (from === to) return formatLongDate(from);
  const fromYear = from.slice(0, 4) === to.slice(0, 4) ? "" : ` ${from.slice(0, 4)}`;
  return `${dayLabel(from)}${fromYear} – ${dayLabel(to)} ${to.slice(0, 4)}`;
}

/** "67%" for 0.6667; "–" when there is nothing to measure. */
export function formatPercent(rate: number | null): string {
  return rate === null ? "–" : `${Math.round(rate * 100)}%`;
}

/** A number with `digits` decimals, "–" for none. */
export function formatDecimal(value: number | null, digits = 1): string {
  return value === null ? "–" : value.toFixed(digits);
}

/** "15 min" under an hour, "2.5 h" from there; "–" for none. */
export function formatHours(hours: number | null): string {
  if (hours === null) return "–";
  return hours < 1 ? `${Math.round(hours * 60)} min` : `${hours.toFixed(1)} h`;
}

/** "0.9 km" under 10 km, "81 km" above. */
export function formatDistance(km: number | null): string {
  if (km === null) return "–";
  return km < 10 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`;
}

/** One of the figures a chart can show. */
export interface Metric {
  id: string;
  /** As the chart's title says it: "On time per driver". */
  label: string;
  value(kpis: Kpis): number | null;
  text(value: number | null): string;
  /** The scale's end when it is fixed (rates run to 100 %); else the largest value. */
  max?: number;
}

export const METRICS: readonly Metric[] = [
  { id: "stops", label: "Stops done", value: (k) => k.stops_completed, text: (v) => (v === null ? "–" : String(v)) },
  { id: "on_time", label: "On time", value: (k) => k.on_time_rate, text: formatPercent, max: 1 },
  {
    id: "first_attempt",
    label: "First-attempt success",
    value: (k) => k.first_attempt_rate,
    text: formatPercent,
    max: 1,
  },
  { id: "stops_per_hour", label: "Stops per hour", value: (k) => k.stops_per_hour, text: (v) => formatDecimal(v) },
  { id: "distance", label: "Distance", value: (k) => k.distance_km, text: formatDistance },
];

export function metricById(id: string): Metric {
  return METRICS.find((m) => m.id === id) ?? (METRICS[0] as Metric);
}

/** A KPI tile: what, how much, and what it is made of. */
export interface Tile {
  id: string;
  label: string;
  value: string;
  detail: string;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The tiles at the top of the panel, worded for a dispatcher. */
export function tiles(k: Kpis): Tile[] {
  const eta =
    k.eta_error_stops > 0
      ? {
          label: "ETA error",
          value: `${formatDecimal(k.eta_error_median_min)} min`,
          detail: `median of ${plural(k.eta_error_stops, "stop")}; mean ${formatDecimal(k.eta_error_mean_min)} min`,
        }
      : k.plan_error_stops > 0
        ? {
            label: "Plan error",
            value: `${formatDecimal(k.plan_error_median_min)} min`,
            detail: `no shown ETA kept; median of ${plural(k.plan_error_stops, "stop")} against the plan`,
          }
        : { label: "ETA error", value: "–", detail: "no arrival yet" };
  return [
    { id: "stops", label: "Stops done", value: String(k.stops_completed), detail: `${k.stops_failed} failed` },
    {
      id: "on_time",
      label: "On time",
      value: formatPercent(k.on_time_rate),
      detail:
        k.stops_with_window > 0
          ? `${k.stops_on_time} of ${plural(k.stops_with_window, "stop")} with a time window`
          : "no stop with a time window reached",
    },
    {
      id: "first_attempt",
      label: "First-attempt success",
      value: formatPercent(k.first_attempt_rate),
      detail:
        k.first_attempts > 0
          ? `${k.first_attempt_successes} of ${plural(k.first_attempts, "delivery", "deliveries")}`
          : "no delivery attempted",
    },
    {
      id: "stops_per_hour",
      label: "Stops per hour",
      value: formatDecimal(k.stops_per_hour),
      detail: k.routes ? `${formatHours(k.route_hours)} on the road, ${plural(k.routes, "route")}` : "no route started",
    },
    {
      id: "distance",
      label: "Distance",
      value: formatDistance(k.distance_km),
      detail: k.co2_kg === null ? "" : `about ${formatDecimal(k.co2_kg)} kg CO₂`,
    },
    { id: "eta", ...eta },
    {
      id: "returns",
      label: "Returns",
      value: formatPercent(k.returns_rate),
      detail: `${plural(k.returns, "return")} for ${k.deliveries} delivered`,
    },
    {
      id: "pickup_wait",
      label: "Pickup wait",
      value: formatHours(k.pickup_wait_median_h),
      detail: k.pickups_handed_over
        ? `median of ${plural(k.pickups_handed_over, "pickup")}; 90% within ${formatHours(k.pickup_wait_p90_h)}`
        : "no pickup handed over",
    },
  ];
}

/** Whether a period has anything to show: stops, routes, returns or pickups. */
export function hasActivity(k: Kpis): boolean {
  return k.stops_completed + k.stops_failed + k.returns + (k.routes ?? 0) + (k.pickups_handed_over ?? 0) > 0;
}

export interface ChartRow {
  label: string;
  value: number | null;
}

export interface Bar {
  /** The row's label as drawn (shortened to fit); `fullLabel` is the whole of it, for the tooltip. */
  label: string;
  fullLabel: string;
  valueText: string;
  /** Top of the row; the bar and its texts are placed from it. */
  y: number;
  barX: number;
  barY: number;
  barWidth: number;
  barHeight: number;
  /** Baseline of the row's texts. */
  textY: number;
  valueX: number;
}

export interface BarChart {
  width: number;
  height: number;
  bars: Bar[];
}

export interface ChartLayout {
  width: number;
  rowHeight: number;
  labelWidth: number;
  valueWidth: number;
  /** About how wide a character of the labels is, to shorten long names. */
  charWidth: number;
}

export const CHART_LAYOUT: ChartLayout = { width: 400, rowHeight: 30, labelWidth: 128, valueWidth: 60, charWidth: 8 };

/** Shortens `text` to `max` characters, with an ellipsis. */
export function fitLabel(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Horizontal bars, one row each: the label on the left, the bar, the value after it. Bars are scaled to the
 * metric's fixed end (100 % for rates) or to the largest value; a missing value draws no bar and says "–".
 */
export function barChart(rows: readonly ChartRow[], metric: Metric, layout: ChartLayout = CHART_LAYOUT): BarChart {
  const values = rows.map((r) => r.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const largest = Math.max(0, ...values);
  const end = metric.max ?? (largest > 0 ? largest : 1);
  const space = layout.width - layout.labelWidth - layout.valueWidth;
  const barHeight = Math.round(layout.rowHeight * 0.6);
  const maxChars = Math.floor((layout.labelWidth - 8) / layout.charWidth);
  const bars = rows.map((row, index) => {
    const y = index * layout.rowHeight;
    const value = row.value !== null && Number.isFinite(row.value) ? Math.max(0, row.value) : null;
    const barWidth = value === null ? 0 : Math.round(Math.min(1, value / end) * space * 10) / 10;
    const barX = layout.labelWidth;
    return {
      label: fitLabel(row.label, maxChars),
      fullLabel: row.label,
      valueText: metric.text(row.value),
      y,
      barX,
      barY: y + Math.round((layout.rowHeight - barHeight) / 2),
      barWidth,
      barHeight,
      textY: y + Math.round(layout.rowHeight / 2) + 5,
      valueX: barX + barWidth + 6,
    };
  });
  return { width: layout.width, height: rows.length * layout.rowHeight, bars };
}

/** The chart in one sentence, for screen readers: "On time per driver: Anna 80%, Bob 100%." */
export function chartSummary(title: string, rows: readonly ChartRow[], metric: Metric): string {
  if (rows.length === 0) return `${title}: nothing to show.`;
  return `${title}: ${rows.map((r) => `${r.label} ${metric.text(r.value)}`).join(", ")}.`;
}

/** A group's rows for a chart of `metric`. */
export function chartRows(
  groups: readonly KpiGroup[],
  metric: Metric,
  label: (g: KpiGroup) => string = (g) => g.label,
): ChartRow[] {
  return groups.map((g) => ({ label: label(g), value: metric.value(g) }));
}
