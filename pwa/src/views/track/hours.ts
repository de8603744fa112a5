// A store's opening hours in the customer's words: today's hours, open or closed now and when it opens next,
// and the week in a few lines. The hours are the store's local times ({"mon": [["09:00", "21:00"]]}; a
// missing day is closed); they are read on the browser's clock unless a zone is given, which is the store's
// own for a customer near it. Pure, so tested.
import type { OpeningHours } from "../../api/tracking";

/** The keys of opening_hours, Monday first (backend/places/schemas.py). */
export const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEK)[number];

const DAY_NAMES: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

const EN_DASH = "\u2013";
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface Interval {
  start: string;
  end: string;
}

function minutesOf(hhmm: string): number {
  if (hhmm === "24:00") return 24 * 60; // open until midnight
  const match = HHMM.exec(hhmm);
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
}

/** A day's opening intervals, earliest first; anything malformed is left out rather than guessed at. */
export function intervalsOf(hours: OpeningHours, day: Weekday): Interval[] {
  const raw = hours[day];
  if (!Array.isArray(raw)) return [];
  const intervals: Interval[] = [];
  for (const pair of raw) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") continue;
    const [start, end] = pair as [string, string];
    if (minutesOf(start) < minutesOf(end)) intervals.push({ start, end });
  }
  return intervals.sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
}

/** Whether the store gave any hours at all (none: the page says so instead of "closed"). */
export function hasHours(hours: OpeningHours): boolean {
  return WEEK.some((day) => intervalsOf(hours, day).length > 0);
}

/** "09:00–12:00, 13:00–18:00"; "Closed" for a day without hours. */
export function intervalsText(intervals: readonly Interval[]): string {
  if (intervals.length === 0) return "Closed";
  return intervals.map((i) => `${i.start}${EN_DASH}${i.end}`).join(", ");
}

/** The weekday and the minute of the day of an instant, in the zone (the browser's by default). */
export function localMoment(now: Date, timeZone?: string): { day: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("weekday").slice(0, 3).toLowerCase() as Weekday;
  return { day: WEEK.includes(day) ? day : "mon", minutes: Number(part("hour")) * 60 + Number(part("minute")) };
}

/** "Today 09:00–21:00", "Closed today". */
export function todayHoursText(hours: OpeningHours, now: Date, timeZone?: string): string {
  const today = intervalsOf(hours, localMoment(now, timeZone).day);
  return today.length === 0 ? "Closed today" : `Today ${intervalsText(today)}`;
}

export interface OpenState {
  /** Null when the store gave no hours: the page cannot say. */
  open: boolean | null;
  /** "Open now, until 21:00", "Closed now, opens tomorrow at 09:00", "Opening hours not listed". */
  text: string;
}

/** Open or closed now, and until when or from when. */
export function openState(hours: OpeningHours, now: Date, timeZone?: string): OpenState {
  if (!hasHours(hours)) return { open: null, text: "Opening hours not listed" };
  const { day, minutes } = localMoment(now, timeZone);
  const todayIndex = WEEK.indexOf(day);
  const today = intervalsOf(hours, day);
  const current = today.find((i) => minutesOf(i.start) <= minutes && minutes < minutesOf(i.end));
  if (current) return { open: true, text: `Open now, until ${current.end}` };
  const later = today.find((i) => minutesOf(i.start) > minutes);
  if (later) return { open: false, text: `Closed now, opens at ${later.start}` };
  for (let ahead = 1; ahead <= 7; ahead++) {
    const next = WEEK[(todayIndex + ahead) % 7] as Weekday;
    const first = intervalsOf(hours, next)[0];
    if (!first) continue;
    const when = ahead === 1 ? "tomorrow" : DAY_NAMES[next];
    return { open: false, text: `Closed now, opens ${when} at ${first.start}` };
  }
  return { open: false, text: "Closed now" }; // unreachable: hasHours found a day
}

export interface WeekLine {
  /** "Mon–Fri", "Sat", "Sun". */
  days: string;
  /** "09:00–21:00", "Closed". */
  hours: string;
}

/** The week in a few lines, Monday first, consecutive days with the same hours together. */
export function weekLines(hours: OpeningHours): WeekLine[] {
  const lines: { first: Weekday; last: Weekday; hours: string }[] = [];
  for (const day of WEEK) {
    const text = intervalsText(intervalsOf(hours, day));
    const previous = lines[lines.length - 1];
    if (previous && previous.hours === text) previous.last = day;
    else lines.push({ first: day, last: day, hours: text });
  }
  return lines.map(({ first, last, hours: text }) => ({
    days: first === last ? DAY_NAMES[first] : `${DAY_NAMES[first]}${EN_DASH}${DAY_NAMES[last]}`,
    hours: text,
  }));
}
