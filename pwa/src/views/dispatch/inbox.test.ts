import { describe, expect, it } from "vitest";
import type { Inbox, InboxItem } from "../../api/inbox";
import {
  handledItems,
  handledText,
  kindLabel,
  openCountText,
  openGroups,
  planTarget,
  refreshesInbox,
  whenText,
  withItem,
} from "./inbox";

function item(overrides: Partial<InboxItem> & Pick<InboxItem, "key">): InboxItem {
  return {
    kind: "failed_attempt",
    severity: "warning",
    occurred_at: "2026-11-26T10:00:00Z",
    title: "Delivery to Aino Virtanen failed at 12:00: nobody home",
    detail: null,
    order_id: null,
    stop_id: null,
    route_id: null,
    driver_id: null,
    endpoint_id: null,
    service_date: null,
    acknowledged: false,
    acknowledged_at: null,
    acknowledged_by: null,
    ...overrides,
  };
}

const inbox = (items: InboxItem[]): Inbox => ({
  date: "2026-11-26",
  timezone: "Europe/Helsinki",
  generated_at: "2026-11-26T10:30:00Z",
  offline_after_min: 10,
  open_count: items.filter((i) => !i.acknowledged).length,
  items,
});

describe("the inbox's open items", () => {
  it("groups them most urgent first, newest first within a group, leaving out empty groups", () => {
    const groups = openGroups([
      item({ key: "old-warning", occurred_at: "2026-11-26T08:00:00Z" }),
      item({ key: "info", severity: "info", occurred_at: "2026-11-26T11:00:00Z" }),
      item({ key: "new-warning", occurred_at: "2026-11-26T09:00:00Z" }),
      item({ key: "offline", severity: "critical", kind: "driver_offline", occurred_at: "2026-11-26T07:00:00Z" }),
      item({ key: "handled", severity: "critical", acknowledged: true }),
    ]);
    expect(groups.map((g) => [g.heading, g.items.map((i) => i.key)])).toEqual([
      ["Urgent", ["offline"]],
      ["To sort out", ["new-warning", "old-warning"]],
      ["Good to know", ["info"]],
    ]);
    expect(openGroups([item({ key: "done", acknowledged: true })])).toEqual([]);
  });

  it("keeps an item of a severity it does not know with the warnings rather than hide it", () => {
    const groups = openGroups([item({ key: "new", severity: "severe" })]);
    expect(groups.map((g) => g.severity)).toEqual(["warning"]);
  });

  it("lists the handled ones, most recently handled first", () => {
    const handled = handledItems([
      item({ key: "a", acknowledged: true, acknowledged_at: "2026-11-26T09:00:00Z" }),
      item({ key: "open" }),
      item({ key: "b", acknowledged: true, acknowledged_at: "2026-11-26T10:00:00Z" }),
    ]);
    expect(handled.map((i) => i.key)).toEqual(["b", "a"]);
  });

  it("takes the server's answer to an acknowledgement and counts again", () => {
    const before = inbox([item({ key: "a" }), item({ key: "b" })]);
    const after = withItem(before, item({ key: "a", acknowledged: true, acknowledged_at: "2026-11-26T10:05:00Z" }));
    expect(after.open_count).toBe(1);
    expect(after.items.map((i) => [i.key, i.acknowledged])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(before.open_count).toBe(2); // the old state is left as it was
    expect(withItem(after, item({ key: "gone", acknowledged: true })).open_count).toBe(1);
  });
});

describe("the inbox's words", () => {
  it("names every kind, and something readable for a new one", () => {
    expect(kindLabel("failed_attempt")).toBe("Failed attempt");
    expect(kindLabel("driver_offline")).toBe("Driver offline");
    expect(kindLabel("endpoint_disabled")).toBe("Webhook off");
    expect(kindLabel("stock_low")).toBe("stock low");
  });

  it("says the count for screen readers", () => {
    expect(openCountText(0)).toBe("nothing open");
    expect(openCountText(1)).toBe("1 open item");
    expect(openCountText(4)).toBe("4 open items");
  });

  it("shows the clock time in the organization's zone, with the day when it is not the day shown", () => {
    expect(whenText("2026-11-26T10:05:00Z", "Europe/Helsinki", "2026-11-26")).toBe("12:05");
    expect(whenText("2026-11-25T21:30:00Z", "Europe/Helsinki", "2026-11-26")).toBe("25 Nov 23:30");
    expect(whenText("2026-11-25T23:30:00Z", "Europe/Helsinki", "2026-11-26")).toBe("01:30"); // the 26th there
  });

  it("says who handled an item and when", () => {
    const handled = item({
      key: "a",
      acknowledged: true,
      acknowledged_at: "2026-11-26T10:10:00Z",
      acknowledged_by: "Dana Dispatcher",
    });
    expect(handledText(handled, "Europe/Helsinki", "2026-11-26")).toBe("Handled by Dana Dispatcher at 12:10");
    expect(handledText({ ...handled, acknowledged_by: null }, "Europe/Helsinki", "2026-11-26")).toBe("Handled at 12:10");
  });
});

describe("what the inbox reacts to and leads to", () => {
  it("reloads on the road's, the plans', the orders' and the webhooks' news, not on everything", () => {
    for (const type of [
      "stop.completed",
      "stop.arrived",
      "route.started",
      "route.delayed",
      "plan.revised",
      "proof.conflict",
      "order.updated",
      "order.status_changed",
      "webhook.endpoint_disabled",
    ]) {
      expect(refreshesInbox(type), type).toBe(true);
    }
    for (const type of ["order.created", "parcel.scanned", "return.requested", "pickup.handed_over"]) {
      expect(refreshesInbox(type), type).toBe(false);
    }
  });

  it("opens the route of an item that has one, on its day", () => {
    expect(planTarget({ route_id: "r1", service_date: "2026-11-26" })).toEqual({ routeId: "r1", date: "2026-11-26" });
    expect(planTarget({ route_id: null, service_date: null })).toBeNull();
    expect(planTarget({ route_id: "r1", service_date: null })).toBeNull();
  });
});
