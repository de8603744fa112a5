import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { day, routeChange } from "../state/driver";
import { deleteDb, queueCommand, readDay } from "./db";
import { applyCommand, applyEtas, clearDay, refreshDay } from "./day";
import { FakeServer, makeDay, ROUTE_ID } from "./test-fixtures";

let server: FakeServer;

beforeEach(async () => {
  await deleteDb();
  server = new FakeServer();
  vi.stubGlobal("fetch", server.fetch);
  day.value = null;
  routeChange.value = null;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function queueDelivery(stopId: string) {
  return queueCommand(
    {
      id: `deliver-${stopId}`,
      type: "stop.deliver",
      route_id: ROUTE_ID,
      stop_id: stopId,
      order_id: `order-${stopId}`,
      occurred_at: "2025-06-02T09:00:00Z",
      payload: { recipient_name: "Ada" },
      media: [],
    },
    applyCommand,
  );
}

describe("refreshDay", () => {
  it("stores the server's day and shows it; the first day is no change to tell", async () => {
    server.day = makeDay(["a", "b"]);
    await refreshDay();
    expect(day.value?.route.stops).toHaveLength(4);
    expect((await readDay())?.route.id).toBe(ROUTE_ID);
    expect(routeChange.value).toBeNull();
  });

  it("keeps a stop delivered offline delivered on a fresh day that does not know it yet", async () => {
    server.day = makeDay(["a", "b"]);
    await refreshDay();
    await queueDelivery("a");
    server.day = makeDay(["a", "b"], { server_time: "2025-06-02T09:30:00+00:00" });
    await refreshDay();
    expect(day.value?.route.stops.find((s) => s.id === "a")?.status).toBe("completed");
  });

  it("tells the driver what a re-plan changed", async () => {
    server.day = makeDay(["a", "b", "c"]);
    await refreshDay();
    server.day = makeDay(["a", "c", "b", "d"], { server_time: "2025-06-02T09:30:00+00:00" });
    await refreshDay();
    expect(routeChange.value?.summary).toBe("1 stop added, order changed after stop 1");
  });

  it("keeps a newer stored day over an older answer", async () => {
    server.day = makeDay(["a", "b"], { server_time: "2025-06-02T10:00:00+00:00" });
    await refreshDay();
    server.day = makeDay(["a"], { server_time: "2025-06-02T09:00:00+00:00" });
    await refreshDay();
    expect(day.value?.route.stops.map((s) => s.id)).toEqual(["start", "a", "b", "end"]);
  });

  it("forgets the day when the server has no route for the driver, unless actions wait", async () => {
    server.day = makeDay(["a"]);
    await refreshDay();
    await queueDelivery("a");
    server.day = null;
    await refreshDay();
    expect(day.value).not.toBeNull();
    await deleteDb();
    server.day = makeDay(["a"]);
    await refreshDay();
    server.day = null;
    await refreshDay();
    expect(day.value).toBeNull();
    expect(await readDay()).toBeNull();
  });

  it("runs one refresh at a time and one more after, for a call made meanwhile", async () => {
    server.day = makeDay(["a"]);
    await Promise.all([refreshDay(), refreshDay(), refreshDay()]);
    expect(server.requests.filter((r) => r.path === "/api/driver/day")).toHaveLength(2);
  });

  it("throws when the server cannot be reached, leaving the stored day", async () => {
    server.day = makeDay(["a"]);
    await refreshDay();
    server.fail = () => {
      throw new TypeError("offline");
    };
    await expect(refreshDay()).rejects.toThrow(/no answer/);
    expect(day.value?.route.id).toBe(ROUTE_ID);
  });
});

describe("applyEtas and clearDay", () => {
  it("puts new ETAs on the stops, and sign-out forgets the day", async () => {
    server.day = makeDay(["a"]);
    await refreshDay();
    await applyEtas(ROUTE_ID, [{ stop_id: "a", eta_at: "2025-06-02T10:00:00Z", earliest_at: "2025-06-02T09:50:00Z", latest_at: "2025-06-02T10:10:00Z" }]);
    expect(day.value?.route.stops.find((s) => s.id === "a")).toMatchObject({
      eta_at: "2025-06-02T10:00:00Z",
      eta_earliest_at: "2025-06-02T09:50:00Z",
    });
    await clearDay();
    expect(day.value).toBeNull();
    expect(await readDay()).toBeNull();
  });
});
