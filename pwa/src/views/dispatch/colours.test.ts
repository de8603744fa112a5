import { describe, expect, it } from "vitest";
import { assignRouteStyles, contrastRatio, ROUTE_COLOURS, routeStyle } from "./colours";

describe("route colours", () => {
  it("are dark enough for white stop numbers", () => {
    for (const colour of ROUTE_COLOURS) expect(contrastRatio(colour, "#ffffff")).toBeGreaterThanOrEqual(4.5);
  });

  it("repeat with dashes past the eighth route", () => {
    expect(routeStyle(0)).toEqual({ colour: ROUTE_COLOURS[0], dashed: false });
    expect(routeStyle(8)).toEqual({ colour: ROUTE_COLOURS[0], dashed: true });
  });

  it("follow the vehicle, so a vehicle keeps its colour across revisions", () => {
    const fleet = ["van-1", "van-2", "bike-1"];
    const first = assignRouteStyles([{ id: "r1", vehicle_id: "bike-1" }], fleet);
    const second = assignRouteStyles(
      [
        { id: "r2", vehicle_id: "van-1" },
        { id: "r3", vehicle_id: "bike-1" },
        { id: "r4", vehicle_id: "unknown" },
      ],
      fleet,
    );
    expect(first.get("r1")).toEqual(second.get("r3"));
    expect(second.get("r2")?.colour).toBe(ROUTE_COLOURS[0]);
    expect(second.get("r4")?.colour).toBe(ROUTE_COLOURS[3]);
  });
});
