import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { day, pendingStops, rejected, routeChange, syncStatus } from "../state/driver";
import { closeDb, deleteDb, getMedia, outboxAll, readDay } from "./db";
import { loadDay, refreshDay } from "./day";
import { dismissRejected, enqueue, MediaError, pendingCount, storeMedia } from "./outbox";
import { stopSync, syncNow } from "./sync";
import { FakeServer, makeDay, ROUTE_ID } from "./test-fixtures";

let server: FakeServer;

beforeEach(async () => {
  vi.stubGlobal("fetch", () => Promise.reject(new TypeError("offline between tests")));
  await syncNow(); // let a replay of the previous test finish
  stopSync();
  await deleteDb();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  day.value = null;
  rejected.value = [];
  routeChange.value = null;
  pendingStops.value = new Set();
});

afterEach(() => {
  stopSync();
  vi.unstubAllGlobals();
});

/** The server is unreachable: actions stay queued. */
function offline() {
  server.fail = () => {
    throw new TypeError("Failed to fetch");
  };
}

async function seedDay(stopIds = ["a", "b"]) {
  server.day = makeDay(stopIds);
  await refreshDay();
}

describe("enqueue", () => {
  it("keeps the action with its own key and the device time, and shows it on the day at once", async () => {
    await seedDay();
    offline();
    const before = Date.now();
    const command = await enqueue({ type: "stop.deliver", route_id: ROUTE_ID, stop_id: "a", payload: { recipient_name: "Ada" } });
    expect(command.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(command.occurred_at)).toBeGreaterThanOrEqual(before - 1);
    expect(command.order_id).toBe("order-a"); // the stop's order, from the stored day
    expect(day.value?.route.stops.find((s) => s.id === "a")?.status).toBe("completed");
    expect((await readDay())?.route.stops.find((s) => s.id === "a")?.status).toBe("completed");
    expect(pendingStops.value.has("a")).toBe(true);
    expect(syncStatus.value.pending).toBe(1);
    await syncNow();
    expect(await pendingCount()).toBe(1);
  });

  it("numbers commands in the order they were taken, and the outbox survives a restart", async () => {
    offline();
    const first = await enqueue({ type: "route.start", route_id: ROUTE_ID, payload: {} });
    const second = await enqueue({ type: "parcel.scan", route_id: ROUTE_ID, payload: { barcode: "X", stage: "loading" } });
    expect(second.seq).toBeGreaterThan(first.seq);
    await syncNow();
    await closeDb();
    expect((await outboxAll()).map((c) => c.id)).toEqual([first.id, second.id]);
  });

  it("lists the payload's photos and signature as the command's media", async () => {
    offline();
    const command = await enqueue({
      type: "stop.deliver",
      route_id: ROUTE_ID,
      stop_id: "a",
      order_id: "order-a",
      payload: { recipient_name: "Ada", photos: ["p1", "p2"], signature: "sig" },
      media: ["p1"],
    });
    expect(command.media).toEqual(["p1", "p2", "sig"]);
  });

  it("refuses a stop action without its stop", async () => {
    await expect(enqueue({ type: "stop.arrive", route_id: ROUTE_ID, payload: {} })).rejects.toThrow(/stop_id/);
  });

  it("is sent once the server answers, and the day then comes from the server", async () => {
    await seedDay();
    await enqueue({ type: "stop.arrive", route_id: ROUTE_ID, stop_id: "a", payload: {} });
    await syncNow();
    expect(server.effects).toHaveLength(1);
    expect(await pendingCount()).toBe(0);
    expect(syncStatus.value).toMatchObject({ pending: 0, syncing: false, lastError: null });
    expect(syncStatus.value.lastSyncAt).not.toBeNull();
    // the server has not applied it to its day in this fake: the server's word stands once nothing waits
    expect(day.value?.route.stops.find((s) => s.id === "a")?.status).toBe("pending");
  });

  it("shows a refused action plainly and keeps it until the driver dismisses it", async () => {
    await seedDay();
    offline();
    const command = await enqueue({ type: "stop.arrive", route_id: ROUTE_ID, stop_id: "b", payload: {} });
    server.fail = null;
    server.verdicts.set(command.id, { outcome: "rejected", reason: "reassigned", message: "This stop is now another driver's." });
    await syncNow();
    expect(rejected.value.map((r) => r.message)).toEqual(["This stop is now another driver's."]);
    expect(await pendingCount()).toBe(0);
    await dismissRejected(command.id);
    expect(rejected.value).toEqual([]);
  });
});

describe("storeMedia", () => {
  it("stores the image under the lowercase hex SHA-256 of its bytes", async () => {
    const sha = await storeMedia(new Blob(["abc"], { type: "image/jpeg" }));
    expect(sha).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await getMedia(sha)).toMatchObject({ type: "image/jpeg", size: 3, uploaded: false });
  });

  it("refuses what the server would never take", async () => {
    await expect(storeMedia(new Blob(["x"], { type: "image/gif" }))).rejects.toBeInstanceOf(MediaError);
    await expect(storeMedia(new Blob([new Uint8Array(8 * 1024 * 1024 + 1)], { type: "image/png" }))).rejects.toThrow(/8 MB/);
  });

  it("is uploaded before the delivery that shows it, then deleted from the phone", async () => {
    await seedDay();
    const sha = await storeMedia(new Blob(["photo"], { type: "image/webp" }));
    await enqueue({ type: "stop.deliver", route_id: ROUTE_ID, stop_id: "a", payload: { recipient_name: "Ada", photos: [sha] } });
    await syncNow();
    expect(server.media.has(sha)).toBe(true);
    expect(server.effects).toHaveLength(1);
    expect(await getMedia(sha)).toBeNull();
  });
});

describe("loadDay", () => {
  it("reads the stored day into the signal, as at an offline start", async () => {
    await seedDay(["a"]);
    day.value = null;
    await closeDb();
    offline();
    expect((await loadDay())?.route.id).toBe(ROUTE_ID);
    const shown = () => day.value; // not narrowed to null by the assignment above
    expect(shown()?.route.stops.map((s) => s.id)).toEqual(["start", "a", "end"]);
  });
});
