import { describe, expect, it } from "vitest";
import { PhotoRefused } from "../../api/carrier";
import { ApiError, NetworkError } from "../../api/client";
import { FAILURE_REASONS as DRIVER_REASONS } from "../driver/wording";
import {
  appliedText,
  dayText,
  FAILURE_REASONS,
  parcelsText,
  refusalText,
  stateLabel,
  statusText,
  truncatedText,
  updatedText,
  windowText,
} from "./wording";

const UTC = "UTC";
const NOW = new Date("2026-11-26T12:00:00Z");

describe("windows", () => {
  it("names the day by today and tomorrow, then by date", () => {
    expect(dayText("2026-11-26T08:00:00Z", NOW, UTC)).toBe("Today");
    expect(dayText("2026-11-27T08:00:00Z", NOW, UTC)).toBe("Tomorrow");
    expect(dayText("2026-11-25T08:00:00Z", NOW, UTC)).toBe("Yesterday");
    expect(dayText("2026-11-30T08:00:00Z", NOW, UTC)).toBe("Mon 30 Nov");
  });

  it("says the window with its day, in the zone given", () => {
    expect(windowText("2026-11-27T07:00:00Z", "2026-11-27T10:00:00Z", NOW, UTC)).toBe("Tomorrow 07:00–10:00");
    expect(windowText("2026-11-27T07:00:00Z", "2026-11-27T10:00:00Z", NOW, "Europe/Helsinki")).toBe(
      "Tomorrow 09:00–12:00",
    );
    expect(windowText("2026-11-26T14:00:00Z", null, NOW, UTC)).toBe("Today from 14:00");
    expect(windowText(null, "2026-11-26T14:00:00Z", NOW, UTC)).toBe("Today until 14:00");
    expect(windowText("2026-11-26T22:00:00Z", "2026-11-27T02:00:00Z", NOW, UTC)).toBe("Today 22:00 – Tomorrow 02:00");
    expect(windowText(null, null, NOW, UTC)).toBe("Any time");
    expect(windowText("nonsense", null, NOW, UTC)).toBe("Any time");
  });
});

describe("orders", () => {
  it("says parcels and weight, states and statuses in plain words", () => {
    expect(parcelsText({ parcel_count: 1, weight_kg: 3.44 })).toBe("1 parcel · 3.4 kg");
    expect(parcelsText({ parcel_count: 2, weight_kg: 0 })).toBe("2 parcels");
    expect(stateLabel("to_pick_up")).toBe("To pick up");
    expect(stateLabel("on_the_way")).toBe("On the way");
    expect(statusText("cancelled")).toBe("Cancelled by the shipper");
    expect(statusText("out_for_delivery")).toBe("On the way");
    expect(statusText("ready_for_pickup")).toBe("Ready for pickup");
  });

  it("uses the driver app's failure reasons", () => {
    expect(FAILURE_REASONS).toBe(DRIVER_REASONS);
    expect(FAILURE_REASONS.map((r) => r.code)).toEqual([
      "not_home",
      "no_access",
      "refused",
      "damaged",
      "wrong_address",
      "other",
    ]);
  });

  it("says what an update did, and when it was a replay", () => {
    const order = { id: "0192f0c4-aaaa", reference: "DEMO-0061" };
    const at = "2026-11-26T12:00:00Z";
    const applied = { order_id: order.id, status: "out_for_delivery", replayed: false };
    expect(appliedText(order, { status: "picked_up", occurred_at: at }, applied)).toBe(
      "DEMO-0061 picked up: it is on the way.",
    );
    expect(
      appliedText({ ...order, reference: null }, { status: "delivered", occurred_at: at, recipient_name: "Aino" }, {
        ...applied,
        replayed: true,
      }),
    ).toBe("Order 0192f0c4 delivered to Aino (it had reached Doorstep already).");
    expect(appliedText(order, { status: "failed", occurred_at: at, reason: "not_home" }, applied)).toBe(
      "DEMO-0061 recorded as failed (nobody home).",
    );
  });
});

describe("refusals and status lines", () => {
  const problem = (status: number, title: string, detail?: string) =>
    new ApiError({ status, problem: { title, status, ...(detail ? { detail } : {}) } });

  it("shows the server's own words for a refusal", () => {
    expect(
      refusalText(problem(409, "Transition not allowed", "The order is cancelled; it cannot become out_for_delivery")),
    ).toBe("Transition not allowed: The order is cancelled; it cannot become out_for_delivery");
    expect(refusalText(problem(404, "Order not found"))).toBe("Order not found");
    expect(refusalText(new PhotoRefused("Only JPEG, PNG or WebP photos can be sent."))).toBe(
      "Only JPEG, PNG or WebP photos can be sent.",
    );
  });

  it("says a retry is safe when the answer was lost", () => {
    expect(refusalText(new NetworkError("x"))).toContain("will not be recorded twice");
    expect(refusalText(problem(503, "Unavailable"))).toContain("will not be recorded twice");
    expect(refusalText(problem(401, "Unauthorized"))).toContain("Sign in again");
  });

  it("says when the list was updated and when it is cut short", () => {
    expect(updatedText(new Date("2026-11-26T07:42:00Z"), UTC)).toBe("Updated 07:42");
    expect(updatedText(null)).toBe("Loading…");
    expect(truncatedText(2000, 2150)).toBe("Showing the first 2000 of 2150 orders.");
    expect(truncatedText(4, 4)).toBe("");
  });
});
