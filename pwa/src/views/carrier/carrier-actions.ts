// What the carrier screen's buttons do beyond one request: photos uploaded first, the update sent under the key
// kept for it (updates.ts), the key let go once the server has answered; and the session ending on a 401.
import { postStatus, uploadPhoto, type CarrierOrder, type StatusApplied, type StatusUpdate } from "../../api/carrier";
import { ApiError } from "../../api/client";
import { session } from "../../state/session";
import { mayRetry, type Intent, type PendingUpdate, type UpdateKeeper } from "./updates";

const SESSION_ENDED = "Your session has ended. Sign in again to go on with your deliveries.";

/** A signed-out answer anywhere on the carrier screen sends the person to the sign-in form. */
export function endSessionIf401(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    session.value = { status: "signed-out", notice: SESSION_ENDED };
  }
}

/** Sends a kept update (again): the same key, the same time; the key is let go once the server has answered. */
export async function send(keeper: UpdateKeeper, entry: PendingUpdate): Promise<StatusApplied> {
  try {
    const applied = await postStatus(entry.orderId, entry.update, entry.key);
    keeper.answered(entry);
    return applied;
  } catch (error) {
    if (!mayRetry(error)) keeper.answered(entry);
    endSessionIf401(error);
    throw error;
  }
}

/** Records what the person asked for: the photos uploaded (again is harmless), then the update under its key. */
export async function record(
  keeper: UpdateKeeper,
  order: CarrierOrder,
  intent: Intent,
  photos: readonly Blob[] = [],
): Promise<{ applied: StatusApplied; update: StatusUpdate }> {
  let withPhotos = intent;
  if (photos.length > 0 && intent.status !== "picked_up") {
    const hashes: string[] = [];
    try {
      for (const photo of photos) hashes.push(await uploadPhoto(photo));
    } catch (error) {
      endSessionIf401(error);
      throw error;
    }
    withPhotos = { ...intent, photos: hashes };
  }
  const entry = keeper.prepare(order.id, withPhotos);
  const applied = await send(keeper, entry);
  return { applied, update: entry.update };
}
