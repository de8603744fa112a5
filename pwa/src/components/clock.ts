// "14:05" in a given time zone (or the browser's): one cached Intl formatter per zone, shared by the screens.
const clocks = new Map<string, Intl.DateTimeFormat>();

export function clockFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let format = clocks.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      ...(timeZone ? { timeZone } : {}),
    });
    clocks.set(key, format);
  }
  return format;
}
