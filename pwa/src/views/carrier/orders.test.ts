import { describe, expect, it } from "vitest";
import { actionsFor, board, elsewhere, matches, stateOf, visibleStates } from "./orders";
import { carrierOrder } from "./test-fixtures";

describe("states", () => {
  it("puts every status in one of the carrier's states", () => {
    expect(["created", "requested", "planned", "scheduled"].map(stateOf)).toEqual(Array(4).fill("to_pick_up"));
    expect(["out_for_delivery", "arriving"].map(stateOf)).toEqual(["on_the_way", "on_the_way"]);
    expect(stateOf("delivered")).toBe("done");
    expect(stateOf("failed")).toBe("failed");
    expect(stateOf("cancelled")).toBe("cancelled");
    expect(stateOf("some_new_status")).toBe("to_pick_up");
  });

  it("offers picked up before the van and delivered on it, failed for both, nothing after", () => {
    expect(actionsFor("to_pick_up")).toEqual(["picked_up", "failed"]);
    expect(actionsFor("on_the_way")).toEqual(["delivered", "failed"]);
    expect(actionsFor("done")).toEqual([]);
    expect(actionsFor("failed")).toEqual([]);
    expect(actionsFor("cancelled")).toEqual([]);
  });
});

describe("board", () => {
  const orders = [
    carrierOrder({ shipper: "Zeta Shop", reference: "Z-2", window_start_at: "2026-11-27T09:00:00Z" }),
    carrierOrder({ shipper: "alpha Store", reference: "A-1" }),
    carrierOrder({ shipper: "Zeta Shop", reference: "Z-1", window_start_at: "2026-11-27T08:00:00Z" }),
    carrierOrder({ shipper: "Zeta Shop", reference: "Z-0", window_start_at: null, window_end_at: null }),
    carrierOrder({ shipper: "Zeta Shop", reference: "Z-9", status: "out_for_delivery" }),
    carrierOrder({ shipper: "alpha Store", reference: "A-2", status: "delivered" }),
    carrierOrder({ shipper: "alpha Store", reference: "A-3", status: "failed" }),
  ];

  it("counts every state and groups the chosen one by shipper, soonest window first", () => {
    const shown = board(orders, "to_pick_up", "");
    expect(shown.counts).toEqual({ to_pick_up: 4, on_the_way: 1, done: 1, failed: 1, cancelled: 0 });
    expect(shown.groups.map((g) => [g.shipper, g.orders.map((o) => o.reference)])).toEqual([
      ["alpha Store", ["A-1"]],
      ["Zeta Shop", ["Z-1", "Z-2", "Z-0"]],
    ]);
    expect(board(orders, "on_the_way", "").groups).toEqual([{ shipper: "Zeta Shop", orders: [orders[4]] }]);
  });

  it("counts only what the search finds", () => {
    const shown = board(orders, "to_pick_up", "zeta");
    expect(shown.counts).toEqual({ to_pick_up: 3, on_the_way: 1, done: 0, failed: 0, cancelled: 0 });
    expect(shown.groups.map((g) => g.shipper)).toEqual(["Zeta Shop"]);
  });

  it("shows cancelled orders' tab only while there are some", () => {
    const counts = board(orders, "to_pick_up", "").counts;
    expect(visibleStates(counts, "to_pick_up")).toEqual(["to_pick_up", "on_the_way", "done", "failed"]);
    expect(visibleStates({ ...counts, cancelled: 1 }, "to_pick_up")).toContain("cancelled");
    expect(visibleStates(counts, "cancelled")).toContain("cancelled"); // the tab open stays
  });

  it("points to where the search found orders when the open tab has none", () => {
    const counts = board(orders, "done", "A-3").counts;
    expect(elsewhere(counts, "done")).toBe("failed");
    expect(elsewhere(counts, "failed")).toBeNull();
    expect(elsewhere(board(orders, "done", "nothing like this").counts, "done")).toBeNull();
  });
});

describe("search", () => {
  const order = carrierOrder({
    reference: "DEMO-0061",
    recipient_name: "Väinö Mäkelä",
    recipient_phone: "+358 40 123 4567",
    address: "Bulevardi 5, Helsinki",
    parcels: ["DS000061", "DS000061-2"],
  });

  it("finds by reference, name without accents, phone digits, address, shipper and parcel", () => {
    const queries = ["demo-0061", "vaino", "MÄKELÄ", "401234567", "40 123 4567", "bulevardi 5", "demo helsinki"];
    for (const query of [...queries, "ds000061-2", "  "]) {
      expect(matches(order, query), query).toBe(true);
    }
  });

  it("needs every word", () => {
    expect(matches(order, "vaino bulevardi")).toBe(true);
    expect(matches(order, "vaino mannerheimintie")).toBe(false);
  });
});
