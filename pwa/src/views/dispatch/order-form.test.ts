import { describe, expect, it } from "vitest";
import { orderFromForm } from "./order-form";

function form(fields: Record<string, string>) {
  return { get: (name: string) => fields[name] ?? null };
}

const PLACE = { recipient_name: " Aino Virtanen ", address: "Eerikinkatu 1, Helsinki", lat: "60.167872", lon: "24.937215" };

describe("orderFromForm", () => {
  it("sends the place as numbers and the window as instants of the organization's clock", () => {
    const order = orderFromForm(
      form({ ...PLACE, window_start: "10:00", window_end: "12:00", weight_kg: "2.5", parcel_count: "2" }),
      "2026-11-25",
      "Europe/Helsinki",
    );
    expect(order).toEqual({
      recipient_name: "Aino Virtanen",
      address: "Eerikinkatu 1, Helsinki",
      lat: 60.167872,
      lon: 24.937215,
      window_start_at: "2026-11-25T08:00:00.000Z",
      window_end_at: "2026-11-25T10:00:00.000Z",
      weight_kg: 2.5,
      parcel_count: 2,
    });
  });

  it("asks for photo ID at hand-over only when the box is ticked", () => {
    expect(orderFromForm(form({ ...PLACE, id_check_required: "yes" }), "2026-11-25", "UTC")).toMatchObject({
      id_check_required: true,
    });
    expect(orderFromForm(form(PLACE), "2026-11-25", "UTC")).not.toHaveProperty("id_check_required");
  });

  it("leaves out what was not given", () => {
    expect(orderFromForm(form(PLACE), "2026-11-25", "UTC")).toEqual({
      recipient_name: "Aino Virtanen",
      address: "Eerikinkatu 1, Helsinki",
      lat: 60.167872,
      lon: 24.937215,
    });
  });

  it("says what to fix instead of sending a request the server would refuse", () => {
    expect(orderFromForm(form({ ...PLACE, lat: "" }), "2026-11-25", "UTC")).toMatch(/click the map/);
    expect(orderFromForm(form({ ...PLACE, window_start: "10:00" }), "2026-11-25", "UTC")).toMatch(/both ends/);
    expect(orderFromForm(form({ ...PLACE, window_start: "12:00", window_end: "10:00" }), "2026-11-25", "UTC")).toMatch(
      /end after it starts/,
    );
  });
});
