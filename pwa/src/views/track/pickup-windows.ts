// When a driver may collect a return: the next few days from tomorrow (today's route is planned already),
// each in three windows, in the customer's time zone, sent as ISO 8601 with that zone's UTC offset on the
// day (a window across a clock change keeps its wall-clock hours). Pure: now and the zone are parameters.

/** The windows offered each day, in local wall-clock hours. */
export const WINDOWS = [
  { id: "morning", label: "Morning", startHour: 9, endHour: 12 },
  { id: "afternoon", label: "Afternoon", startHour: 12, endHour: 17 },
  { id: "evening", label: "Evening", startHour: 17, endHour: 20 },
] as const;

const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, "0");

/** "Morning, 09:00–12:00". */
export function windowLabel(window: (typeof WINDOWS)[number]): string {
  return `${window.label}, ${pad(window.startHour)}:00\u2013${pad(window.endHour)}:00`;
}

/** Days offered, starting tomorrow. */
export const PICKUP_DAYS = 5;

export interface WindowChoice {
  /** "2026-11-26/morning": unique among the choices. */
  id: string;
  /** "Morning, 09:00–12:00". */
  label: string;
  start_at: string;
  end_at: string;
}

export interface DayChoice {
  /** "2026-11-26". */
  date: string;
  /** "Tomorrow, Thu 26 Nov", "Fri 27 Nov". */
  label: string;
  windows: WindowChoice[];
}

interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number;
}

function wallClock(at: Date, timeZone?: string): CivilDate & { hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    hour: part("hour"),
    minute: part("minute"),
    second: part("second"),
  };
}

/** The zone's offset from UTC at an instant, in minutes (Helsinki in winter: 120). */
export function offsetMinutes(at: Date, timeZone?: string): number {
  const local = wallClock(at, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** "2026-11-26T09:00:00+02:00": the wall-clock hour of a day in the zone, with the offset it has then. */
export function zonedIso(date: CivilDate, hour: number, timeZone?: string): string {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour);
  // The offset at the instant itself: guess with the offset at the wall time read as UTC, then correct once.
  let offset = offsetMinutes(new Date(wall), timeZone);
  offset = offsetMinutes(new Date(wall - offset * 60_000), timeZone);
  const sign = offset < 0 ? "-" : "+";
  const stamp = `${date.year}-${pad(date.month)}-${pad(date.day)}T${pad(hour)}:00:00`;
  return `${stamp}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

function addDays(date: CivilDate, days: number): CivilDate {
  const at = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

const dayName = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });

/** The days and windows a customer may choose from, tomorrow first. */
export function pickupDays(now: Date, timeZone?: string, days: number = PICKUP_DAYS): DayChoice[] {
  const today = wallClock(now, timeZone);
  const choices: DayChoice[] = [];
  for (let ahead = 1; ahead <= days; ahead++) {
    const date = addDays(today, ahead);
    const iso = `${date.year}-${pad(date.month)}-${pad(date.day)}`;
    const name = dayName.format(new Date(Date.UTC(date.year, date.month - 1, date.day, 12)));
    choices.push({
      date: iso,
      label: ahead === 1 ? `Tomorrow, ${name}` : name,
      windows: WINDOWS.map((w) => ({
        id: `${iso}/${w.id}`,
        label: windowLabel(w),
        start_at: zonedIso(date, w.startHour, timeZone),
        end_at: zonedIso(date, w.endHour, timeZone),
      })),
    });
  }
  return choices;
}
