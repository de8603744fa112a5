import { describe, expect, it } from "vitest";
import type { Stop } from "../../api/planning";
import { escapeHtml, numberStops, routeLine, routeSpan } from "./stops";

function stop(sequence: number, kind: string, orderId: string | null, lat = 60, lon = 24): Stop {
  return {
    id: `s${sequence}`,
    sequence,
    kind,
    status: "pending",
    order_id: orderId,
    lat,
    lon,
    planned_arrival_at: `2026-11-25T08:${String(sequence).padStart(2, "0")}:00Z`,
    planned_departure_at: `2026-11-25T08:${String(sequence + 1).padStart(2, "0")}:00Z`,
    arrived_at: null,
    completed_at: null,
  };
}

describe("stops", () => {
  it("numbers the stops that serve an order, in driving order", () => {
    const numbered = numberStops([stop(3, "end", null), stop(1, "delivery", "a"), stop(0, "start", null), stop(2, "delivery", "b")]);
    expect(numbered.map((n) => [n.stop.sequence, n.number])).toEqual([
      [0, null],
      [1, 1],
      [2, 2],
      [3, null],
    ]);
  });

  it("draws the street geometry, flipped to Leaflet's lat-lon order", () => {
    const line = routeLine({
      geometry: { type: "LineString", coordinates: [[24.9, 60.1], [24.95, 60.2]] },
      stops: [],
    });
    expect(line).toEqual([[60.1, 24.9], [60.2, 24.95]]);
  });

  it("falls back to straight lines between the stops when there is no geometry", () => {
    const line = routeLine({ geometry: null, stops: [stop(1, "delivery", "a", 60.2, 24.8), stop(0, "start", null, 60.1, 24.9)] });
    expect(line).toEqual([[60.1, 24.9], [60.2, 24.8]]);
  });

  it("spans from leaving the depot to coming back", () => {
    expect(routeSpan([stop(0, "start", null), stop(5, "end", null)])).toEqual(["2026-11-25T08:01:00Z", "2026-11-25T08:05:00Z"]);
    expect(routeSpan([])).toEqual([null, null]);
  });

  it("escapes text for Leaflet's HTML tooltips", () => {
    expect(escapeHtml(`<b>"Tom" & 'Jerry'</b>`)).toBe("&#60;b&#62;&#34;Tom&#34; &#38; &#39;Jerry&#39;&#60;/b&#62;");
  });
});
