import { describe, expect, it } from "vitest";
import { applyStoreEvent, arrivalsFromPickups, changesLists, isFresh, titlePrefix, type Arrival } from "./arrivals";
import { pickup } from "./test-fixtures";

const now = new Date("2026-11-26T12:00:00Z");

function arrived(orderId: string, payload: Record<string, unknown> = {}) {
  return {
    type: "pickup.customer_arrived",
    payload: { store_id: "s1", order_id: orderId, name: "Aino", shelf: "B-04", curbside: false, ...payload },
  };
}

describe("customers here", () => {
  it("lists the ready pickups whose customer said they are here, newest first", () => {
    const list = arrivalsFromPickups([
      pickup({ order_id: "a", customer_arrived_at: "2026-11-26T11:50:00Z" }),
      pickup({ order_id: "b", customer_arrived_at: null }),
      pickup({ order_id: "c", customer_arrived_at: "2026-11-26T11:55:00Z", curbside: true, parking_note: "spot 4" }),
      pickup({ order_id: "d", customer_arrived_at: "2026-11-26T11:58:00Z", status: "picked_up" }),
    ]);
    expect(list.map((a) => a.orderId)).toEqual(["c", "a"]);
    expect(list[0]).toMatchObject({ name: "Aino Virtanen", shelf: "B-04", curbside: true, parkingNote: "spot 4" });
  });

  it("adds a customer the moment they arrive, and alerts", () => {
    const change = applyStoreEvent([], arrived("a", { curbside: true, parking_note: "blue Volvo" }), now);
    expect(change.list).toHaveLength(1);
    expect(change.arrived).toEqual({
      orderId: "a",
      name: "Aino",
      shelf: "B-04",
      curbside: true,
      parkingNote: "blue Volvo",
      arrivedAt: now.toISOString(),
      distanceM: null,
    });
  });

  it("carries how far away a customer who shared their position is, and ignores nonsense", () => {
    expect(applyStoreEvent([], arrived("a", { distance_m: 330 }), now).arrived?.distanceM).toBe(330);
    expect(applyStoreEvent([], arrived("a", { distance_m: -5 }), now).arrived?.distanceM).toBeNull();
    expect(applyStoreEvent([], arrived("a", { distance_m: "near" }), now).arrived?.distanceM).toBeNull();
    const fromList = arrivalsFromPickups([
      pickup({ order_id: "a", customer_arrived_at: "2026-11-26T11:50:00Z", customer_distance_m: 1240 }),
    ]);
    expect(fromList[0]?.distanceM).toBe(1240);
  });

  it("keeps one entry for a customer who taps twice, moved to the top", () => {
    let list: Arrival[] = applyStoreEvent([], arrived("a"), new Date("2026-11-26T11:00:00Z")).list;
    list = applyStoreEvent(list, arrived("b"), new Date("2026-11-26T11:30:00Z")).list;
    const again = applyStoreEvent(list, arrived("a", { curbside: true }), now);
    expect(again.list.map((a) => a.orderId)).toEqual(["a", "b"]);
    expect(again.list[0]?.curbside).toBe(true);
  });

  it("takes a customer away once handed over or expired", () => {
    const list = applyStoreEvent(applyStoreEvent([], arrived("a"), now).list, arrived("b"), now).list;
    const handed = applyStoreEvent(list, { type: "pickup.handed_over", payload: { order_id: "a" } }, now);
    expect(handed.list.map((a) => a.orderId)).toEqual(["b"]);
    expect(handed.arrived).toBeNull();
    const expired = applyStoreEvent(handed.list, { type: "pickup.expired", payload: { order_id: "b" } }, now);
    expect(expired.list).toEqual([]);
  });

  it("gives the same list back for events that change nothing", () => {
    const list = applyStoreEvent([], arrived("a"), now).list;
    expect(applyStoreEvent(list, { type: "pickup.ready", payload: { order_id: "z" } }, now).list).toBe(list);
    expect(applyStoreEvent(list, { type: "pickup.handed_over", payload: { order_id: "z" } }, now).list).toBe(list);
    expect(applyStoreEvent(list, { type: "pickup.customer_arrived", payload: {} }, now).list).toBe(list);
  });

  it("still shows an arrival without a name or shelf", () => {
    const change = applyStoreEvent([], { type: "pickup.customer_arrived", payload: { order_id: "a" } }, now);
    expect(change.arrived).toMatchObject({ name: "A customer", shelf: null, curbside: false, parkingNote: null });
  });

  it("highlights an arrival for a minute and a half", () => {
    const arrival = applyStoreEvent([], arrived("a"), now).arrived as Arrival;
    expect(isFresh(arrival, new Date(now.getTime() + 60_000))).toBe(true);
    expect(isFresh(arrival, new Date(now.getTime() + 120_000))).toBe(false);
  });

  it("counts waiting customers in the page title and reloads lists on pickup events", () => {
    expect(titlePrefix(0)).toBe("");
    expect(titlePrefix(2)).toBe("(2) ");
    expect(changesLists("pickup.ready")).toBe(true);
    expect(changesLists("order.created")).toBe(false);
  });
});
