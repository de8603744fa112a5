// "Reports", loaded by ReportsPanel.tsx as a chunk of its own: the KPIs of the day on screen (or the seven days
// up to it) as tiles, a bar chart per driver (and per day for the week) with each bar labelled and a table
// beside it, and the same figures as a CSV download. Reloaded when the day changes and every minute while the
// page is visible; the arithmetic is in reports.ts.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { getKpis, kpisCsvPath, type KpiGroup, type KpiReport } from "../../api/analytics";
import { serviceDate, timeZone } from "../../state/dispatch";
import { todayIn } from "./format";
import { dispatchErrorMessage } from "./messages";
import "./reports.css";
import {
  barChart,
  chartRows,
  chartSummary,
  dayLabel,
  formatDecimal,
  formatDistance,
  formatPercent,
  hasActivity,
  METRICS,
  metricById,
  periodText,
  reportPeriod,
  tiles,
  type ChartRow,
  type Metric,
  type ReportRange,
} from "./reports";

const REFRESH_EVERY_MS = 60_000; // stops are done all day; a minute behind is close enough for a report

interface Reports {
  from: string;
  to: string;
  drivers: KpiReport;
  days: KpiReport | null;
}

type State = { status: "loading" } | { status: "ready"; value: Reports } | { status: "failed"; message: string };

async function load(range: ReportRange, from: string, to: string): Promise<Reports> {
  const [drivers, days] = await Promise.all([
    getKpis(from, to, "driver"),
    range === "week" ? getKpis(from, to, "day") : Promise.resolve(null),
  ]);
  return { from, to, drivers, days };
}

export function ReportsView() {
  const range = useSignal<ReportRange>("day");
  const metricId = useSignal("stops");
  const state = useSignal<State>({ status: "loading" });
  const shown = serviceDate.value;
  const { from, to } = shown ? reportPeriod(range.value, shown, todayIn(timeZone.value)) : { from: "", to: "" };

  useEffect(() => {
    if (!from) return;
    let current = true;
    const reload = () => {
      load(range.value, from, to).then(
        (value) => {
          if (current) state.value = { status: "ready", value };
        },
        (error: unknown) => {
          if (current) state.value = { status: "failed", message: dispatchErrorMessage(error) };
        },
      );
    };
    state.value = { status: "loading" };
    reload();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") reload();
    }, REFRESH_EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [from, to, range.value]);

  const metric = metricById(metricId.value);
  const period = from ? periodText(from, to) : "";
  const current = state.value;
  return (
    <section class="card reports" aria-labelledby="reports-heading" data-testid="reports-panel">
      <div class="reports-head">
        <h2 id="reports-heading">Reports</h2>
        <div class="segmented" role="group" aria-label="Period of the report">
          <button type="button" aria-pressed={range.value === "day"} onClick={() => (range.value = "day")}>
            Day
          </button>
          <button type="button" aria-pressed={range.value === "week"} onClick={() => (range.value = "week")}>
            7 days
          </button>
        </div>
      </div>
      <p class="muted" data-testid="reports-period">
        {period || "…"}
        {shown > todayIn(timeZone.value) && range.value === "day" && " · not started: figures come as drivers deliver"}
      </p>
      {current.status === "loading" && <p class="muted">Loading…</p>}
      {current.status === "failed" && (
        <p class="form-error" role="alert">
          {current.message}
        </p>
      )}
      {current.status === "ready" && (
        <ReportBody reports={current.value} metric={metric} onMetric={(id) => (metricId.value = id)} period={period} />
      )}
    </section>
  );
}

function ReportBody(props: { reports: Reports; metric: Metric; onMetric(id: string): void; period: string }) {
  const { reports, metric } = props;
  const totals = reports.drivers.totals;
  const drivers = reports.drivers.groups;
  return (
    <>
      <dl class="kpi-tiles">
        {tiles(totals).map((tile) => (
          <div class="kpi-tile" key={tile.id} data-testid={`kpi-${tile.id}`}>
            <dt>{tile.label}</dt>
            <dd class="kpi-value">{tile.value}</dd>
            {tile.detail && <dd class="kpi-detail">{tile.detail}</dd>}
          </div>
        ))}
      </dl>
      {!hasActivity(totals) && <p class="muted">No stop done, route driven, return or pickup in this period yet.</p>}
      {hasActivity(totals) && (
        <>
          <div class="field reports-metric">
            <label for="report-metric">Chart</label>
            <select
              id="report-metric"
              value={metric.id}
              onChange={(event) => props.onMetric(event.currentTarget.value)}
            >
              {METRICS.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
          {reports.days && (
            <Chart
              id="days"
              title={`${metric.label} per day`}
              rows={chartRows(reports.days.groups, metric, (g) => (g.key ? dayLabel(g.key) : g.label))}
              metric={metric}
            />
          )}
          <Chart id="drivers" title={`${metric.label} per driver`} rows={chartRows(drivers, metric)} metric={metric} />
          <DriverTable groups={drivers} />
        </>
      )}
      <p class="reports-download">
        <a
          class="button button-secondary"
          href={kpisCsvPath(reports.from, reports.to, "driver")}
          download
          data-testid="reports-csv"
        >
          Download CSV
        </a>
        <span class="muted">per driver, {props.period}</span>
      </p>
      <p class="muted reports-note">
        On time: arrived within the time window, {formatDecimal(reports.drivers.on_time_grace_min, 0)} minutes either
        side allowed. CO₂ is an estimate from the planned distance and the kind of vehicle.
      </p>
    </>
  );
}

function Chart(props: { id: string; title: string; rows: ChartRow[]; metric: Metric }) {
  const chart = barChart(props.rows, props.metric);
  const captionId = `chart-${props.id}-title`;
  const descriptionId = `chart-${props.id}-desc`;
  return (
    <figure class="report-chart" data-testid={`chart-${props.id}`}>
      <figcaption id={captionId}>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${chart.width} ${Math.max(chart.height, 1)}`}
        role="img"
        aria-labelledby={captionId}
        aria-describedby={descriptionId}
        class="bar-chart"
      >
        <desc id={descriptionId}>{chartSummary(props.title, props.rows, props.metric)}</desc>
        {chart.bars.map((bar, index) => (
          <g key={index} data-testid="chart-bar">
            <title>{`${bar.fullLabel}: ${bar.valueText}`}</title>
            <text x={0} y={bar.textY} class="bar-label">
              {bar.label}
            </text>
            <rect x={bar.barX} y={bar.barY} width={bar.barWidth} height={bar.barHeight} rx={3} class="bar" />
            <text x={bar.valueX} y={bar.textY} class="bar-value">
              {bar.valueText}
            </text>
          </g>
        ))}
      </svg>
      <details class="chart-table">
        <summary>As a table</summary>
        <table class="stop-table">
          <thead>
            <tr>
              <th scope="col">{props.id === "days" ? "Day" : "Driver"}</th>
              <th scope="col">{props.metric.label}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row, index) => (
              <tr key={index}>
                <th scope="row">{row.label}</th>
                <td>{props.metric.text(row.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function DriverTable(props: { groups: KpiGroup[] }) {
  return (
    <div class="reports-table">
      <table class="stop-table" data-testid="reports-drivers">
        <caption class="visually-hidden">Figures per driver</caption>
        <thead>
          <tr>
            <th scope="col">Driver</th>
            <th scope="col">Done</th>
            <th scope="col">Failed</th>
            <th scope="col">On time</th>
            <th scope="col">First attempt</th>
            <th scope="col">Stops/h</th>
            <th scope="col">Distance</th>
            <th scope="col">CO₂</th>
            <th scope="col">ETA error</th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((g) => (
            <tr key={g.key ?? "none"} data-testid="reports-driver-row">
              <th scope="row">{g.label}</th>
              <td>{g.stops_completed}</td>
              <td>{g.stops_failed}</td>
              <td>{formatPercent(g.on_time_rate)}</td>
              <td>{formatPercent(g.first_attempt_rate)}</td>
              <td>{formatDecimal(g.stops_per_hour)}</td>
              <td>{formatDistance(g.distance_km)}</td>
              <td>{g.co2_kg === null ? "–" : `${formatDecimal(g.co2_kg)} kg`}</td>
              <td>{g.eta_error_median_min === null ? "–" : `${formatDecimal(g.eta_error_median_min)} min`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
