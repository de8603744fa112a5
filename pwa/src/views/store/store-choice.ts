// Which store the screen serves: the only one, or the one this person chose last on this device (a clerk
// at two shops picks once, not every morning). Pure apart from the storage given, tested.
import type { Store } from "../../api/store";

/** What the choice is kept in: localStorage in the app, a map in the tests. */
export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Per person: two people sharing a tablet each keep their own store. */
export function choiceKey(userId: string): string {
  return `doorstep.store.chosen.${userId}`;
}

/** The store to open: the only one, the remembered one if still among the caller's, else null (ask). */
export function chooseStore(stores: readonly Store[], rememberedId: string | null): Store | null {
  if (stores.length === 1) return stores[0] ?? null;
  return stores.find((store) => store.id === rememberedId) ?? null;
}

export function rememberedStore(storage: ChoiceStorage | null, userId: string): string | null {
  try {
    return storage?.getItem(choiceKey(userId)) ?? null;
  } catch {
    return null; // storage refused (private mode): the picker asks each time
  }
}

export function rememberStore(storage: ChoiceStorage | null, userId: string, storeId: string | null): void {
  try {
    if (storeId === null) storage?.removeItem(choiceKey(userId));
    else storage?.setItem(choiceKey(userId), storeId);
  } catch {
    // nothing kept: the picker asks again next time
  }
}

/** The shelf last used at a store, so a run of parcels onto one shelf is typed once. */
export function shelfKey(storeId: string): string {
  return `doorstep.store.shelf.${storeId}`;
}

/** A shelf as the server takes it: 1 to 32 characters, capitals ("b-04" is "B-04"), no outer spaces. */
export function cleanShelf(text: string): string {
  return text.trim().toUpperCase().slice(0, 32);
}

/** The device's memory of "the camera was started here", so scanners start it at once next time. */
export const CAMERA_KEY = "doorstep.store.camera";
