import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { day, syncStatus } from "../state/driver";
import { deleteDb, outboxCount, queueCommand } from "./db";
import { backoffDelayMs, startSync, stopSync, syncNow } from "./sync";
import { FakeServer, json, makeDay, ROUTE_ID } from "./test-fixtures";

let server: FakeServer;
let n = 0;

beforeEach(async () => {
  vi.stubGlobal("fetch", () => Promise.reject(new TypeError("offline between tests")));
  await syncNow(); // let a replay of the previous test finish
  stopSync();
  await deleteDb();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  day.value = null;
});

afterEach(() => {
  stopSync();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function queue() {
  n++;
  return queueCommand(
    {
      id: `c-${n}`,
      type: "parcel.scan",
      route_id: ROUTE_ID,
      stop_id: null,
      order_id: null,
      occurred_at: new Date().toISOString(),
      payload: { barcode: `B${n}`, stage: "loading" },
      media: [],
    },
    (d) => d,
  );
}

describe("backoffDelayMs", () => {
  it("doubles from 1 s to at most 60 s, with the upper half random", () => {
    expect(backoffDelayMs(1, () => 0)).toBe(500);
    expect(backoffDelayMs(1, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, () => 1)).toBe(4000);
    expect(backoffDelayMs(20, () => 0)).toBe(30_000);
    expect(backoffDelayMs(20, () => 1)).toBe(60_000);
  });
});

describe("syncNow", () => {
  it("never runs two replays at once; a call meanwhile makes one more round after", async () => {
    await queue();
    await Promise.all([syncNow(), syncNow(), syncNow()]);
    expect(server.syncCalls).toHaveLength(1);
    expect(server.effects).toHaveLength(1);
  });

  it("tries again after a failure, with backoff, and gets through", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    await queue();
    let down = true;
    server.fail = () => (down ? json(503, { title: "Unavailable", status: 503 }) : null);
    await syncNow();
    expect(syncStatus.value.lastError).toMatch(/503/);
    expect(await outboxCount()).toBe(1);
    down = false;
    await vi.advanceTimersByTimeAsync(1_000); // the first pause is at most 1 s
    vi.useRealTimers();
    await vi.waitFor(() => expect(syncStatus.value).toMatchObject({ pending: 0, lastError: null }));
    expect(await outboxCount()).toBe(0);
  });

  it("asks the driver to sign in again on a 401 and keeps the actions", async () => {
    await queue();
    server.fail = () => json(401, { title: "Not signed in", status: 401 });
    await syncNow();
    expect(syncStatus.value.lastError).toMatch(/Sign in again/);
    expect(syncStatus.value.pending).toBe(1);
  });
});

describe("startSync", () => {
  it("loads the stored day, replays what waits, fetches the day, and stops cleanly", async () => {
    await queue();
    server.day = makeDay(["a"]);
    const stop = startSync();
    await vi.waitFor(() => expect(day.value?.route.id).toBe(ROUTE_ID));
    expect(server.effects).toHaveLength(1);
    expect(syncStatus.value.pending).toBe(0);
    stop();
  });
});
