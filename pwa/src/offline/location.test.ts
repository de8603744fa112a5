import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LiveConnection, LiveOptions } from "../api/live";
import { day } from "../state/driver";
import { addPoints, deleteDb, oldestPoints, pointCount } from "./db";
import type { LocalDay } from "./db";
import {
  MAX_BUFFERED_POINTS,
  pauseSharing,
  resumeSharing,
  sharingState,
  startSharing,
  toPoint,
  type GeolocationLike,
} from "./location";
import { FakeServer, makeDay } from "./test-fixtures";

class FakeGeolocation implements GeolocationLike {
  watching = new Map<number, { success: (p: GeolocationPosition) => void; error: (e: GeolocationPositionError) => void }>();
  next = 1;
  watchPosition(success: (p: GeolocationPosition) => void, error: (e: GeolocationPositionError) => void): number {
    this.watching.set(this.next, { success, error });
    return this.next++;
  }
  clearWatch(id: number): void {
    this.watching.delete(id);
  }
  fix(lat: number, at = Date.now()): void {
    const coords = { latitude: lat, longitude: 24.9, accuracy: 8, speed: 5, heading: 90, altitude: null, altitudeAccuracy: null };
    for (const w of this.watching.values()) w.success({ coords, timestamp: at } as unknown as GeolocationPosition);
  }
  deny(): void {
    for (const w of this.watching.values()) w.error({ code: 1, message: "denied" } as GeolocationPositionError);
  }
}

let server: FakeServer;
let geo: FakeGeolocation;
let options: LiveOptions | null;
let sent: Array<Record<string, unknown>>;
let live: boolean;
let stop: () => void;

const connect = (o: LiveOptions): LiveConnection => {
  options = o;
  return {
    close: () => o.onStatus("stopped", {}),
    send: (frame) => {
      if (!live) return false;
      sent.push(frame);
      return true;
    },
  };
};

function goLive(): void {
  live = true;
  options?.onStatus("live", {});
}

function dropSocket(): void {
  live = false;
  options?.onStatus("reconnecting", { retryInMs: 1000 });
}

function withRoute(status: string): void {
  day.value = { ...makeDay(["a"], { status }), local: { scanned: {}, collected: {} } } as LocalDay;
}

beforeEach(async () => {
  await deleteDb();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2025-06-02T09:00:00Z"));
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  geo = new FakeGeolocation();
  options = null;
  sent = [];
  live = false;
  withRoute("in_progress");
});

afterEach(() => {
  stop?.();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function tick(seconds = 1): void {
  vi.setSystemTime(Date.now() + seconds * 1000);
}

describe("toPoint", () => {
  it("keeps what the server takes and nulls what it would refuse", () => {
    const point = toPoint({
      coords: { latitude: 60.1, longitude: 24.9, accuracy: 12, speed: Number.NaN, heading: -1 },
      timestamp: Date.parse("2025-06-02T09:00:00Z"),
    } as unknown as GeolocationPosition);
    expect(point).toEqual({ lat: 60.1, lon: 24.9, at: "2025-06-02T09:00:00.000Z", accuracy: 12, speed: null, heading: null });
  });
});

describe("startSharing", () => {
  it("sends fixes on the socket while it is live, at most one a second", async () => {
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    goLive();
    expect(sharingState.value).toBe("live");
    geo.fix(60.1);
    geo.fix(60.2); // the same second: not sent
    tick();
    geo.fix(60.3);
    expect(sent.map((f) => [f["type"], f["lat"]])).toEqual([
      ["position", 60.1],
      ["position", 60.3],
    ]);
    options?.onFrame?.({ type: "ack", seq: null, data: {} });
    options?.onFrame?.({ type: "ack", seq: null, data: {} });
    dropSocket(); // nothing unanswered: nothing to keep
    await vi.waitFor(async () => expect(await pointCount()).toBe(0));
  });

  it("buffers fixes while the socket is down, then backfills them by HTTP", async () => {
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    expect(sharingState.value).toBe("buffering");
    geo.fix(60.1);
    tick();
    geo.fix(60.2);
    await vi.waitFor(async () => expect(await pointCount()).toBe(2));
    goLive();
    await vi.waitFor(async () => expect(await pointCount()).toBe(0));
    expect(server.positions).toHaveLength(2);
    expect(server.positions[0]).not.toHaveProperty("seq");
  });

  it("keeps the fixes of frames never acknowledged when the socket drops", async () => {
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    goLive();
    geo.fix(60.1);
    dropSocket();
    await vi.waitFor(async () => expect((await oldestPoints(10)).map((p) => p.lat)).toEqual([60.1]));
  });

  it("backfills in batches of at most 1,000", async () => {
    const points = Array.from({ length: 2500 }, (_, i) => ({
      lat: 60,
      lon: 24,
      at: new Date(Date.parse("2025-06-02T08:00:00Z") + i * 1000).toISOString(),
      accuracy: 5,
      speed: null,
      heading: null,
    }));
    await addPoints(points, MAX_BUFFERED_POINTS);
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    goLive();
    await vi.waitFor(async () => expect(await pointCount()).toBe(0));
    const batches = server.requests.filter((r) => r.path === "/api/positions");
    expect(batches).toHaveLength(3);
    expect(server.positions).toHaveLength(2500);
  });

  it("shares only while the route is in progress, and stops when the driver pauses", async () => {
    withRoute("published");
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    expect(sharingState.value).toBe("off");
    expect(geo.watching.size).toBe(0);
    withRoute("in_progress");
    expect(geo.watching.size).toBe(1);
    pauseSharing();
    expect(sharingState.value).toBe("paused");
    expect(geo.watching.size).toBe(0);
    resumeSharing();
    expect(geo.watching.size).toBe(1);
    expect(sharingState.value).toBe("buffering");
  });

  it("says so when the driver refused the location", () => {
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    geo.deny();
    expect(sharingState.value).toBe("denied");
    expect(geo.watching.size).toBe(0);
  });

  it("reloads the day when the route is re-planned", async () => {
    server.day = makeDay(["a", "b"]);
    stop = startSharing({ geolocation: geo, connect, url: "ws://test/ws/driver" });
    goLive();
    options?.onFrame?.({ type: "route.updated", seq: "1", data: { route_id: "r" } });
    await vi.waitFor(() => expect(day.value?.route.stops).toHaveLength(4));
  });
});

describe("the buffer", () => {
  it("keeps the newest 5,000 fixes", async () => {
    const point = (i: number) => ({ lat: i / 10_000, lon: 0, at: new Date(i * 1000).toISOString(), accuracy: null, speed: null, heading: null });
    await addPoints(Array.from({ length: 5_100 }, (_, i) => point(i)), MAX_BUFFERED_POINTS);
    expect(await pointCount()).toBe(5_000);
    expect((await oldestPoints(1))[0]?.lat).toBe(100 / 10_000);
  });
});
