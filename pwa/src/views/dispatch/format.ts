// How the dispatch screen writes distances, durations, clock times and dates: pure, so it is tested.
import { clockFormat } from "../../components/clock";

/** Today (or `at`) as YYYY-MM-DD in the organization's time zone: the day a dispatcher means by "today". */
export function todayIn(timeZone: string, at: Date = new Date()): string {
  return dateIn(at.toISOString(), timeZone);
}

/** From this hour on, a dispatcher opening the screen is planning tomorrow (the demo seeds by the same rule). */
export const TOMORROW_FROM_HOUR = 15;

/** The day the screen opens on: the organization's today, or tomorrow once the afternoon is under way. */
export function planningDayIn(timeZone: string, at: Date = new Date()): string {
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", hour: "2-digit" }).format(at),
  );
  if (hour < TOMORROW_FROM_HOUR) return todayIn(timeZone, at);
  return todayIn(timeZone, new Date(at.getTime() + 24 * 3600 * 1000));
}

/** Minutes the zone is ahead of UTC at an instant (120 for Helsinki in summer). */
function offsetMinutes(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(atMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return Math.round((wall - Math.floor(atMs / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time on a day has in a time zone, as ISO 8601 UTC: "2026-11-25" "09:30" in
 * Europe/Helsinki is "2026-11-25T07:30:00.000Z". A time skipped by a DST change lands an hour later.
 */
export function zonedTimeToIso(date: string, time: string, timeZone: string): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let at = wall - offsetMinutes(wall, timeZone) * 60_000;
  at = wall - offsetMinutes(at, timeZone) * 60_000; // once more: the offset at the answer, not at the guess
  return new Date(at).toISOString();
}

/** "5.0 km" under 100 km, "123 km" above: a tenth of a kilometre matters on a bike route, not on a van's. */
export function formatKm(distanceM: number): string {
  const km = Math.max(0, distanceM) / 1000;
  return km < 100 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`;
}

/** "22 min", "1 h 5 min", "2 h"; under half a minute is "0 min". */
export function formatDuration(durationS: number): string {
  const minutes = Math.round(Math.max(0, durationS) / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The machine-readable duration for <time datetime>: "PT1H5M". */
export function isoDuration(durationS: number): string {
  const minutes = Math.round(Math.max(0, durationS) / 60);
  return `PT${Math.floor(minutes / 60)}H${minutes % 60}M`;
}


/** "08:43" for an ISO instant, in the browser's time zone unless one is given; "" for none. */
export function formatClock(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  return clockFormat(timeZone).format(at);
}

/** The YYYY-MM-DD an instant falls on in the browser's (or the given) time zone. */
export function dateIn(iso: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** "25 Nov" for a YYYY-MM-DD date. */
export function formatShortDate(date: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** "Wed, 25 Nov 2026" for a YYYY-MM-DD date, as a heading says which day it is about. */
export function formatLongDate(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(at);
}

/**
 * A delivery window as the dispatcher reads it: "10:00–12:00", with the date in front when it is not
 * the day being planned ("26 Nov 10:00–12:00"), "Any time" when the order has none.
 */
export function formatWindow(
  startIso: string | null,
  endIso: string | null,
  serviceDate: string,
  timeZone?: string,
): string {
  if (!startIso || !endIso) return "Any time";
  const range = `${formatClock(startIso, timeZone)}–${formatClock(endIso, timeZone)}`;
  const day = dateIn(startIso, timeZone);
  return day === serviceDate ? range : `${formatShortDate(day)} ${range}`;
}

/** "1 route", "2 routes". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
