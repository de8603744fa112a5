// The "Add order" form's fields as the body of POST /api/orders: pure, so the checks are tested.
import type { OrderCreate } from "../../api/planning";
import { zonedTimeToIso } from "./format";

/**
 * The body for POST /api/orders from the form's fields, or the sentence saying what to fix.
 * Window times are wall-clock times on the day shown, in the organization's time zone.
 */
export function orderFromForm(
  form: { get(name: string): FormDataEntryValue | null },
  day: string,
  zone: string,
): OrderCreate | string {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const lat = Number(text("lat"));
  const lon = Number(text("lon"));
  if (!text("lat") || !text("lon") || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    return "Give the latitude and longitude, or click the map where the order goes.";
  }
  const order: OrderCreate = { recipient_name: text("recipient_name"), address: text("address"), lat, lon };
  const from = text("window_start");
  const to = text("window_end");
  if (Boolean(from) !== Boolean(to)) return "Give both ends of the time window, or neither.";
  if (from && to) {
    if (from >= to) return "The time window must end after it starts.";
    order.window_start_at = zonedTimeToIso(day, from, zone);
    order.window_end_at = zonedTimeToIso(day, to, zone);
  }
  const weight = text("weight_kg");
  if (weight) order.weight_kg = Number(weight);
  const parcels = text("parcel_count");
  if (parcels) order.parcel_count = Number(parcels);
  if (form.get("id_check_required") !== null) order.id_check_required = true;
  return order;
}
