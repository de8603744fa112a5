import { describe, expect, it } from "vitest";
import type { ReturnInfoView } from "../../api/tracking";
import {
  distanceText,
  dispositionText,
  reasonLabel,
  returnHeadline,
  returnStepLabel,
  showsDropOffCode,
} from "./return-wording";
import { collectByText, showsMap, takesInstructions } from "./wording";

const ZONE = "Europe/Helsinki";
const NOW = new Date("2026-11-25T10:00:00Z"); // 12:00 in Helsinki

const DROP_OFF: ReturnInfoView = {
  method: "store_dropoff",
  reason: "damaged",
  code: "K7M2QX",
  store_name: "Kamppi store",
  store_address: "Urho Kekkosen katu 1",
  dropped_at: null,
  received_at: null,
  disposition: null,
};
const PICKUP: ReturnInfoView = { ...DROP_OFF, method: "pickup", store_name: null, store_address: null };

function page(status: string, info: ReturnInfoView, extra: Record<string, unknown> = {}) {
  return { status, timeline: [], closed_at: null, window_start_at: null, window_end_at: null, return_info: info, ...extra };
}

describe("returnHeadline", () => {
  it("tells a drop-off where to bring it, and a pickup when the driver comes", () => {
    expect(returnHeadline(page("scheduled", DROP_OFF), NOW, ZONE)).toEqual({
      title: "Bring your return to Kamppi store",
      detail: "Show the code below at the counter.",
    });
    const window = { window_start_at: "2026-11-26T07:00:00Z", window_end_at: "2026-11-26T10:00:00Z" };
    expect(returnHeadline(page("scheduled", PICKUP, window), NOW, ZONE)).toEqual({
      title: "A driver will collect your return",
      detail: "Please have it ready tomorrow 09:00–12:00.",
    });
    expect(returnHeadline(page("requested", PICKUP), NOW, ZONE).title).toBe("Return requested");
  });

  it("says when it was handed in or collected", () => {
    const dropped = { ...DROP_OFF, dropped_at: "2026-11-25T09:15:00Z" };
    expect(returnHeadline(page("collected", dropped), NOW, ZONE)).toEqual({
      title: "Handed in at Kamppi store",
      detail: "Dropped off 11:15. It is on its way back.",
    });
    const timeline = [{ status: "collected", at: "2026-11-24T08:00:00Z" }];
    expect(returnHeadline(page("collected", PICKUP, { timeline }), NOW, ZONE).detail).toBe(
      "Collected yesterday 10:00. It is on its way back.",
    );
  });

  it("gives the disposition in plain words once received", () => {
    expect(returnHeadline(page("received", DROP_OFF), NOW, ZONE).detail).toMatch(/being checked/);
    const restocked = { ...DROP_OFF, disposition: "restock" };
    expect(returnHeadline(page("restocked", restocked), NOW, ZONE)).toEqual({
      title: "Return complete",
      detail: "Your return was checked and accepted back into stock.",
    });
    expect(returnHeadline(page("received", { ...DROP_OFF, disposition: "repair" }), NOW, ZONE).detail).toBe(
      "Your return was checked and is being repaired.",
    );
    expect(dispositionText("dispose")).toMatch(/disposed of/);
    expect(dispositionText("recycle")).toBe("Your return was checked: recycle.");
    expect(dispositionText(null)).toBeNull();
  });

  it("shows the drop-off code only until the store has it", () => {
    expect(showsDropOffCode({ status: "scheduled", return_info: DROP_OFF })).toBe(true);
    expect(showsDropOffCode({ status: "collected", return_info: { ...DROP_OFF, dropped_at: "2026-11-25T09:15:00Z" } })).toBe(false);
    expect(showsDropOffCode({ status: "scheduled", return_info: PICKUP })).toBe(false);
    expect(showsDropOffCode({ status: "scheduled", return_info: null })).toBe(false);
  });
});

describe("the rest of a return's words", () => {
  it("names a drop-off's steps as the customer lives them", () => {
    expect(returnStepLabel("scheduled", "store_dropoff")).toBe("Drop-off arranged");
    expect(returnStepLabel("collected", "store_dropoff")).toBe("Handed in at the store");
    expect(returnStepLabel("scheduled", "pickup")).toBe("Collection planned");
    expect(returnStepLabel("restocked", "store_dropoff")).toBe("Return complete");
  });

  it("names reasons as the customer would", () => {
    expect(reasonLabel("wrong_item")).toBe("I got the wrong item");
    expect(reasonLabel("arrived_late")).toBe("Arrived late");
  });

  it("says how far a store is", () => {
    expect(distanceText(0)).toBe("0.1 km");
    expect(distanceText(348)).toBe("0.3 km");
    expect(distanceText(960)).toBe("1.0 km");
    expect(distanceText(1_234)).toBe("1.2 km");
    expect(distanceText(14_321)).toBe("14 km");
  });
});

describe("pickup and return pages", () => {
  it("says until when a pickup waits", () => {
    expect(collectByText("2026-11-25T16:00:00Z", NOW, ZONE)).toBe("Collect today by 18:00");
    expect(collectByText("2026-11-26T16:00:00Z", NOW, ZONE)).toBe("Collect by tomorrow 18:00");
    expect(collectByText("2026-12-02T16:00:00Z", NOW, ZONE)).toBe("Collect by Wed 2 Dec");
  });

  it("shows the map and the driver's instructions only where a driver comes", () => {
    expect(showsMap({ kind: "delivery", status: "out_for_delivery" })).toBe(true);
    expect(showsMap({ kind: "store_pickup", status: "ready_for_pickup" })).toBe(false);
    expect(showsMap({ kind: "return", status: "scheduled", return_info: PICKUP })).toBe(true);
    expect(showsMap({ kind: "return", status: "scheduled", return_info: DROP_OFF })).toBe(false);
    expect(showsMap({ kind: "return", status: "collected", return_info: PICKUP })).toBe(false);
    expect(takesInstructions({ kind: "store_pickup", status: "created" })).toBe(false);
    expect(takesInstructions({ kind: "return", status: "scheduled", return_info: DROP_OFF })).toBe(false);
    expect(takesInstructions({ kind: "delivery", status: "planned" })).toBe(true);
  });
});
