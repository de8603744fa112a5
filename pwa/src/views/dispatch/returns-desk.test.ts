import { describe, expect, it } from "vitest";
import type { Location } from "../../api/planning";
import { taken } from "../store/test-fixtures";
import { chosenPlace, decidedText, receivingPlaces, returnTitle, withoutReturn } from "./returns-desk";

const place = (id: string, kind: string, name: string): Location => ({ id, kind, name, address: "", lat: 60, lon: 25 });

describe("the receiving desk", () => {
  it("receives at depots, by name, keeping the choice while it exists", () => {
    const places = receivingPlaces([place("s", "store", "Kamppi"), place("b", "depot", "Vantaa"), place("a", "depot", "Pasila")]);
    expect(places.map((p) => p.id)).toEqual(["a", "b"]);
    expect(chosenPlace(places, "b")).toBe("b");
    expect(chosenPlace(places, "gone")).toBe("a");
    expect(chosenPlace(places, null)).toBe("a");
    expect(chosenPlace([], null)).toBeNull();
  });

  it("names a return by its customer, reference and way back", () => {
    expect(returnTitle(taken({ recipient_name: "Aino Virtanen", reference: "RET-1" }))).toBe(
      "Return from Aino Virtanen · RET-1 · dropped at a store",
    );
    expect(returnTitle(taken({ method: "pickup", recipient_name: null, reference: null }))).toBe(
      "Return · collected by a driver",
    );
  });

  it("says what became of it and drops it from the list", () => {
    expect(decidedText("restock", "Depot Pasila")).toBe("Restocked at Depot Pasila");
    expect(decidedText("dispose", "Depot Pasila")).toBe("Disposed of at Depot Pasila");
    const list = [taken({ return_order_id: "r1" }), taken({ return_order_id: "r2" })];
    expect(withoutReturn(list, "r1").map((r) => r.return_order_id)).toEqual(["r2"]);
  });
});
