import { describe, expect, it } from "vitest";
import { pickupDays } from "./pickup-windows";
import { checkReturn, type ReturnChoices } from "./return-request";

const DAYS = pickupDays(new Date("2026-11-25T10:00:00Z"), "Europe/Helsinki");
const CHOICES: ReturnChoices = {
  parcels: ["RT-1"],
  items: new Map(),
  reason: "damaged",
  comment: "  Box crushed ",
  method: "store_dropoff",
  storeId: "store-1",
  windowId: null,
};

describe("checkReturn", () => {
  it("builds a drop-off with the store, the comment trimmed", () => {
    expect(checkReturn(CHOICES, DAYS)).toEqual({
      ok: true,
      request: {
        method: "store_dropoff",
        reason: "damaged",
        parcels: ["RT-1"],
        items: [],
        comment: "Box crushed",
        store_id: "store-1",
      },
    });
  });

  it("builds a pickup with the chosen window, and leaves out an empty comment and items not chosen", () => {
    const pickup = checkReturn(
      {
        ...CHOICES,
        parcels: [],
        items: new Map([
          ["SKU-1", 2],
          ["SKU-2", 0],
        ]),
        comment: " ",
        method: "pickup",
        windowId: "2026-11-27/evening",
      },
      DAYS,
    );
    expect(pickup).toEqual({
      ok: true,
      request: {
        method: "pickup",
        reason: "damaged",
        parcels: [],
        items: [{ sku: "SKU-1", quantity: 2 }],
        window_start_at: "2026-11-27T17:00:00+02:00",
        window_end_at: "2026-11-27T20:00:00+02:00",
      },
    });
  });

  it("names the first thing missing", () => {
    const problem = (choices: Partial<ReturnChoices>) => {
      const checked = checkReturn({ ...CHOICES, ...choices }, DAYS);
      return checked.ok ? null : checked.problem;
    };
    expect(problem({ parcels: [] })).toBe("Choose what you are returning.");
    expect(problem({ reason: null })).toBe("Choose why you are returning it.");
    expect(problem({ method: null })).toMatch(/^Choose how it comes back/);
    expect(problem({ storeId: null })).toBe("Choose the store you will bring it to.");
    expect(problem({ method: "pickup", windowId: "2026-12-25/morning" })).toMatch(/^Choose a day and a time/);
  });
});
