import { describe, expect, it } from "vitest";
import { humanize, orderStatusText, planStatusText, routeStatusText, stopKindText, unassignedReasonText } from "./wording";

describe("wording", () => {
  it("says why an order was left out in plain words", () => {
    expect(unassignedReasonText("capacity")).toBe("Too large for any vehicle");
    expect(unassignedReasonText("time_window")).toBe("No vehicle can make the time window");
    expect(unassignedReasonText("no_vehicle")).toBe("No vehicle available");
  });

  it("still reads a code it has no words for", () => {
    expect(unassignedReasonText("road_closed")).toBe("Road closed");
    expect(humanize("out_for_delivery")).toBe("Out for delivery");
    expect(orderStatusText("created")).toBe("Waiting");
    expect(planStatusText("published")).toBe("Published");
  });

  it("names a return's stops for what the driver does there", () => {
    expect(stopKindText("pickup", "return")).toBe("Collect the return");
    expect(stopKindText("delivery", "return")).toBe("Drop the return at the depot");
    expect(stopKindText("delivery", "store_pickup")).toBe("Deliver to the store");
    expect(stopKindText("delivery")).toBe("Delivery");
    expect(stopKindText("start")).toBe("Leave the depot");
  });

  it("names a route's status, a withdrawn one too", () => {
    expect(routeStatusText("withdrawn")).toBe("Withdrawn");
    expect(routeStatusText("in_progress")).toBe("On the road");
  });
});
