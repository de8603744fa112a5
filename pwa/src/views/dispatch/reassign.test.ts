import { describe, expect, it } from "vitest";
import type { Route, Stop } from "../../api/planning";
import { canMove, moveTargets, movedText, routeLabel, type NamedRoute } from "./reassign";

function stop(id: string, sequence: number, kind: string, orderId: string | null, status = "pending"): Stop {
  return {
    id,
    sequence,
    kind,
    status,
    order_id: orderId,
    lat: 60.17,
    lon: 24.94,
    planned_arrival_at: "2026-11-26T08:00:00Z",
    planned_departure_at: "2026-11-26T08:02:00Z",
    arrived_at: null,
    completed_at: null,
  };
}

function route(stops: Stop[]): Route {
  return {
    id: "r2",
    vehicle_id: "v2",
    driver_id: "d2",
    service_date: "2026-11-26",
    status: "published",
    plan_revision: 1,
    distance_m: 1000,
    duration_s: 600,
    geometry: null,
    started_at: null,
    completed_at: null,
    stops,
  };
}

const ROUTES: NamedRoute[] = [
  { summary: { id: "r1", status: "in_progress" }, name: "Van 1", driver: "Aino" },
  { summary: { id: "r2", status: "published" }, name: "Van 2", driver: "Mikko" },
  { summary: { id: "r3", status: "withdrawn" }, name: "Cargo bike 1", driver: "Sara" },
  { summary: { id: "r4", status: "in_progress" }, name: "Cargo bike 2", driver: null },
  { summary: { id: "r5", status: "completed" }, name: "Van 3", driver: "Leo" },
];

describe("moving a stop", () => {
  it("offers the move for a stop still to do on a live route only", () => {
    expect(canMove(stop("a", 1, "delivery", "o1"), "published")).toBe(true);
    expect(canMove(stop("a", 1, "delivery", "o1"), "in_progress")).toBe(true);
    expect(canMove(stop("a", 1, "delivery", "o1", "arrived"), "in_progress")).toBe(false);
    expect(canMove(stop("a", 1, "delivery", "o1", "completed"), "in_progress")).toBe(false);
    expect(canMove(stop("a", 1, "delivery", "o1", "failed"), "in_progress")).toBe(false);
    expect(canMove(stop("a", 0, "start", null), "published")).toBe(false);
    expect(canMove(stop("a", 1, "delivery", "o1"), "draft")).toBe(false);
    expect(canMove(stop("a", 1, "delivery", "o1"), "withdrawn")).toBe(false);
  });

  it("lists the other live routes by vehicle and driver, in the plan's order", () => {
    expect(moveTargets(ROUTES, "r1")).toEqual([
      { routeId: "r2", label: "Van 2 · Mikko" },
      { routeId: "r4", label: "Cargo bike 2" },
    ]);
    expect(moveTargets(ROUTES, "r2").map((t) => t.routeId)).toEqual(["r1", "r4"]);
    expect(moveTargets(ROUTES.slice(0, 1), "r1")).toEqual([]);
    expect(routeLabel({ name: "Van 1", driver: null })).toBe("Van 1");
  });

  it("says where the stop went, by its number on the new route", () => {
    const target = route([
      stop("s0", 0, "start", null),
      stop("s1", 1, "delivery", "o1"),
      stop("p", 2, "pickup", "o9"),
      stop("d", 3, "delivery", "o9"),
      stop("s4", 4, "end", null),
    ]);
    expect(movedText({ stop_ids: ["d"], to_route: target }, "Anna Virtanen", "Van 2 · Mikko")).toBe(
      "Anna Virtanen is stop 3 of Van 2 · Mikko now.",
    );
    // fetched from the depot first: the delivery's number
    expect(movedText({ stop_ids: ["p", "d"], to_route: target }, "Anna", "Van 2")).toBe("Anna is stop 3 of Van 2 now.");
    expect(movedText({ stop_ids: [], to_route: target }, "Anna", "Van 2")).toBe("Anna moved to Van 2.");
  });
});
