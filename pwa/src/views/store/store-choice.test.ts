import { describe, expect, it } from "vitest";
import type { Store } from "../../api/store";
import { canServeStore } from "./access";
import { choiceKey, chooseStore, cleanShelf, rememberedStore, rememberStore, type ChoiceStorage } from "./store-choice";

function store(id: string, name: string): Store {
  return { id, name, address: `${name} street 1`, lat: 60.17, lon: 24.94, opening_hours: {} };
}

function memory(): ChoiceStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const kamppi = store("k", "Kamppi");
const itis = store("i", "Itis");

describe("which store", () => {
  it("opens the only store at once", () => {
    expect(chooseStore([kamppi], null)).toBe(kamppi);
    expect(chooseStore([kamppi], "gone")).toBe(kamppi);
  });

  it("asks a person with several stores, then remembers their choice on this device", () => {
    const storage = memory();
    expect(chooseStore([kamppi, itis], rememberedStore(storage, "u1"))).toBeNull();
    rememberStore(storage, "u1", itis.id);
    expect(chooseStore([kamppi, itis], rememberedStore(storage, "u1"))).toBe(itis);
    // another person on the same tablet still chooses
    expect(rememberedStore(storage, "u2")).toBeNull();
    rememberStore(storage, "u1", null);
    expect(storage.items.has(choiceKey("u1"))).toBe(false);
  });

  it("asks again when the remembered store is no longer theirs", () => {
    expect(chooseStore([kamppi, itis], "old-store")).toBeNull();
    expect(chooseStore([], "k")).toBeNull();
  });

  it("survives storage that refuses", () => {
    const refusing: ChoiceStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(rememberedStore(refusing, "u1")).toBeNull();
    expect(() => rememberStore(refusing, "u1", "k")).not.toThrow();
    expect(rememberedStore(null, "u1")).toBeNull();
  });

  it("writes a shelf as the server takes it", () => {
    expect(cleanShelf("  b-04 ")).toBe("B-04");
    expect(cleanShelf("")).toBe("");
    expect(cleanShelf("x".repeat(40))).toHaveLength(32);
  });

  it("is for store staff and the office, not drivers", () => {
    expect(canServeStore("store_staff")).toBe(true);
    expect(canServeStore("admin")).toBe(true);
    expect(canServeStore("dispatcher")).toBe(true);
    expect(canServeStore("driver")).toBe(false);
  });
});
