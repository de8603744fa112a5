// The return form's choices as the request the server takes, or the first thing still missing, in words
// for the customer. Pure, so tested; the photos' hashes are added once they are uploaded.
import type { ReturnItem, ReturnMethod, ReturnStart } from "../../api/returns";
import type { DayChoice } from "./pickup-windows";

export interface ReturnChoices {
  parcels: readonly string[];
  /** SKU → how many come back (0 or absent: none). */
  items: ReadonlyMap<string, number>;
  reason: string | null;
  comment: string;
  method: ReturnMethod | null;
  storeId: string | null;
  /** A WindowChoice id ("2026-11-26/morning") from the days offered. */
  windowId: string | null;
}

export type Checked = { ok: true; request: Omit<ReturnStart, "photos"> } | { ok: false; problem: string };

export function checkReturn(choices: ReturnChoices, days: readonly DayChoice[]): Checked {
  const items: ReturnItem[] = [...choices.items]
    .filter(([, quantity]) => quantity > 0)
    .map(([sku, quantity]) => ({ sku, quantity }));
  if (choices.parcels.length === 0 && items.length === 0) {
    return { ok: false, problem: "Choose what you are returning." };
  }
  if (!choices.reason) return { ok: false, problem: "Choose why you are returning it." };
  const comment = choices.comment.trim();
  const base = {
    reason: choices.reason,
    parcels: [...choices.parcels],
    items,
    ...(comment ? { comment } : {}),
  };
  switch (choices.method) {
    case "store_dropoff":
      if (!choices.storeId) return { ok: false, problem: "Choose the store you will bring it to." };
      return { ok: true, request: { ...base, method: "store_dropoff", store_id: choices.storeId } };
    case "pickup": {
      const window = days.flatMap((day) => day.windows).find((w) => w.id === choices.windowId);
      if (!window) return { ok: false, problem: "Choose a day and a time for the driver to come." };
      return {
        ok: true,
        request: { ...base, method: "pickup", window_start_at: window.start_at, window_end_at: window.end_at },
      };
    }
    default:
      return { ok: false, problem: "Choose how it comes back: at a store, or a driver collects it." };
  }
}
