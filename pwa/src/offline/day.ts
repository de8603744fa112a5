// The day on the phone: loaded from IndexedDB at once, refreshed from the server when it can be, with the
// driver's waiting actions kept on top; a re-plan that changes the stops is told to the driver.
import { fetchDay } from "../api/driver";
import { day, pendingStops, routeChange, setSyncStatus } from "../state/driver";
import { clearDayData, outboxAll, readDay, setMeta, updateDay, type LocalDay } from "./db";
import { describeChange, mergeDay, stopsWithPending } from "./day-model";

export { applyCommand, describeChange, mergeDay } from "./day-model";

/** The stored day into the `day` signal (the screens can show it before any network answer). */
export async function loadDay(): Promise<LocalDay | null> {
  const [stored, outbox] = await Promise.all([readDay(), outboxAll()]);
  day.value = stored;
  pendingStops.value = stopsWithPending(outbox);
  return stored;
}

let running: Promise<void> | null = null;
let again = false;

/**
 * The server's day into IndexedDB and the signal. One at a time: a call during a refresh makes one more
 * afterwards (its answer may predate an action the outbox has just sent). Throws NetworkError / ApiError.
 */
export function refreshDay(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await refreshOnce();
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

async function refreshOnce(): Promise<void> {
  const server = await fetchDay();
  let before: LocalDay | null = null;
  let pending = new Set<string>();
  let queued = 0;
  const next = await updateDay((current, outbox) => {
    before = current;
    pending = stopsWithPending(outbox);
    queued = outbox.length;
    if (server === null) {
      // No live route any more. A day with actions still to send stays until they are in.
      return outbox.length > 0 ? current : null;
    }
    if (current && current.route.id === server.route.id && current.server_time > server.server_time) {
      return current; // an older answer overtaken by a newer one already stored
    }
    return mergeDay(server, current, outbox);
  });
  day.value = next;
  pendingStops.value = pending;
  const previous = before as LocalDay | null;
  if (previous && next && next !== previous) {
    const summary = describeChange(previous, next);
    if (summary) routeChange.value = { summary, at: new Date().toISOString() };
  }
  if (queued === 0) {
    // nothing waits and the server's day is here: the phone is in step with the server
    const now = new Date().toISOString();
    await setMeta("lastSyncAt", now);
    setSyncStatus({ lastSyncAt: now });
  }
}

/** New ETAs from the driver socket ("etas" frames) onto the stored day and the signal. */
export async function applyEtas(routeId: string, etas: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const byStop = new Map(etas.map((e) => [e["stop_id"], e]));
  const str = (value: unknown) => (typeof value === "string" ? value : null);
  const next = await updateDay((current) => {
    if (!current || current.route.id !== routeId) return current;
    const stops = current.route.stops.map((s) => {
      const eta = byStop.get(s.id);
      return eta
        ? { ...s, eta_at: str(eta["eta_at"]), eta_earliest_at: str(eta["earliest_at"]), eta_latest_at: str(eta["latest_at"]) }
        : s;
    });
    return { ...current, route: { ...current.route, stops } };
  });
  day.value = next;
}

/** Sign-out: forgets the day and buffered positions. Waiting actions stay and are sent at the next sign-in. */
export async function clearDay(): Promise<void> {
  await clearDayData();
  day.value = null;
  routeChange.value = null;
}
