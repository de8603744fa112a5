// What the driver's buttons do: each action becomes a command in the outbox (offline/outbox.ts), which
// shows it on the day at once and sends it when it can. The screens never call the server for an action.
import { enqueue, storeMedia } from "../../offline/outbox";
import { currentPlace, placePayload, type Place } from "./place";
import type { RouteStop } from "./stops";
import type { FailureReason, ReturnCondition } from "./wording";

/** Arriving waits this long for a fix at most: the time of arrival matters more than its place. */
const ARRIVE_FIX_MS = 3_000;

function stopIds(stop: RouteStop): { stop_id: string; order_id: string | null } {
  return { stop_id: stop.stop.id, order_id: stop.stop.order_id };
}

export async function startRoute(routeId: string): Promise<void> {
  await enqueue({ type: "route.start", route_id: routeId, payload: {} });
}

export async function finishRoute(routeId: string): Promise<void> {
  await enqueue({ type: "route.finish", route_id: routeId, payload: {} });
}

export async function arrive(routeId: string, stop: RouteStop): Promise<void> {
  const place = await currentPlace(ARRIVE_FIX_MS);
  const payload = place
    ? { lat: place.lat, lon: place.lon, ...(place.accuracy_m === null ? {} : { accuracy_m: place.accuracy_m }) }
    : {};
  await enqueue({ type: "stop.arrive", route_id: routeId, ...stopIds(stop), payload });
}

/** Images into the phone's store; their SHA-256s for the payload (the outbox uploads them first). */
async function keepPhotos(photos: readonly Blob[]): Promise<string[]> {
  const hashes: string[] = [];
  for (const photo of photos) hashes.push(await storeMedia(photo)); // one at a time: a cheap phone's memory
  return hashes;
}

export interface DeliveryProof {
  recipientName: string;
  photos: readonly Blob[];
  signature: Blob | null;
  place: Place | null;
  /** Barcodes scanned at the stop. */
  scanned: readonly string[];
  note: string | null;
  /** The driver checked the recipient's photo ID (asked for when the order needs it). */
  idChecked?: boolean;
}

/** Handed over (or, at a return's pickup stop, collected): the stop is done with its proof. */
export async function deliver(routeId: string, stop: RouteStop, proof: DeliveryProof): Promise<void> {
  const photos = await keepPhotos(proof.photos);
  const signature = proof.signature ? await storeMedia(proof.signature) : null;
  await enqueue({
    type: "stop.deliver",
    route_id: routeId,
    ...stopIds(stop),
    payload: {
      recipient_name: proof.recipientName,
      photos,
      signature,
      ...placePayload(proof.place),
      scanned: [...proof.scanned],
      note: proof.note,
      ...(proof.idChecked ? { id_checked: true } : {}),
    },
  });
}

/** A depot stop done (a parcel fetched, returns dropped): no proof beyond the place and the time. */
export async function doneAtDepot(
  routeId: string,
  stop: RouteStop,
  depotName: string,
  scanned: readonly string[],
): Promise<void> {
  const place = await currentPlace(ARRIVE_FIX_MS);
  await enqueue({
    type: "stop.deliver",
    route_id: routeId,
    ...stopIds(stop),
    payload: {
      recipient_name: depotName,
      photos: [],
      signature: null,
      ...placePayload(place),
      scanned: [...scanned],
      note: null,
    },
  });
}

export interface FailureReport {
  reason: FailureReason;
  note: string | null;
  photos: readonly Blob[];
  place: Place | null;
}

export async function fail(routeId: string, stop: RouteStop, report: FailureReport): Promise<void> {
  const photos = await keepPhotos(report.photos);
  await enqueue({
    type: "stop.fail",
    route_id: routeId,
    ...stopIds(stop),
    payload: { reason: report.reason, note: report.note, photos, ...placePayload(report.place) },
  });
}

export interface CollectedReturn {
  barcode: string;
  condition: ReturnCondition;
  photos: readonly Blob[];
  note: string | null;
}

/** A return the customer hands over at a delivery stop (not a planned return pickup). */
export async function collectReturn(routeId: string, stop: RouteStop, collected: CollectedReturn): Promise<void> {
  const photos = await keepPhotos(collected.photos);
  await enqueue({
    type: "stop.collect_return",
    route_id: routeId,
    ...stopIds(stop),
    payload: { barcode: collected.barcode, condition: collected.condition, photos, note: collected.note },
  });
}

/** A parcel scanned into the van (stage loading, no stop) or at its stop. */
export async function scanParcel(
  routeId: string,
  barcode: string,
  at: { stage: "loading"; orderId: string | null } | { stage: "stop"; stop: RouteStop },
): Promise<void> {
  await enqueue({
    type: "parcel.scan",
    route_id: routeId,
    ...(at.stage === "stop" ? stopIds(at.stop) : { stop_id: null, order_id: at.orderId }),
    payload: { barcode, stage: at.stage },
  });
}
