// The latest proofs of delivery, newest first: who took the parcel, when (the phone's time), the photos and the
// signature, or why an attempt failed. Refreshed when a stop is completed or a pickup handed over.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listRecentProofs, mediaPath, type RecentProof } from "../../api/proof";
import { clockFormat } from "../../components/clock";
import { timeZone } from "../../state/dispatch";

export const recentProofs = signal<RecentProof[] | null>(null);

export async function loadRecentProofs(): Promise<void> {
  try {
    recentProofs.value = await listRecentProofs(20);
  } catch (error) {
    console.warn("Could not load the latest proofs of delivery.", error);
  }
}

/** Event types after which the list may have a new proof. */
export const PROOF_EVENTS: ReadonlySet<string> = new Set(["stop.completed", "pickup.handed_over", "proof.conflict"]);

const FAILURE_REASONS: Record<string, string> = {
  not_home: "nobody home",
  no_access: "no access",
  refused: "refused",
  damaged: "damaged",
  wrong_address: "wrong address",
  other: "other reason",
};

export function proofText(item: RecentProof): string {
  const { proof } = item;
  const whom = item.recipient_name ?? "an order no longer on file";
  if (proof.kind === "failed") return `Failed at ${whom}: ${FAILURE_REASONS[proof.reason ?? ""] ?? proof.reason ?? "no reason"}`;
  if (proof.kind === "return_collected") return `Return collected from ${whom}`;
  const taker = proof.recipient_name && proof.recipient_name !== item.recipient_name ? ` (taken by ${proof.recipient_name})` : "";
  return `${proof.kind === "picked_up" ? "Picked up" : "Delivered"}: ${whom}${taker}`;
}

export function ProofsPanel() {
  useEffect(() => {
    void loadRecentProofs();
  }, []);
  const items = recentProofs.value;
  if (!items || items.length === 0) return null;
  return (
    <section class="card proofs-panel" aria-labelledby="proofs-heading" data-testid="proofs-panel">
      <h2 id="proofs-heading">Proof of delivery</h2>
      <ul class="conflicts-list">
        {items.map((item) => (
          <li key={item.proof.id} data-testid="proof-item">
            <p>
              <strong>{clockFormat(timeZone.value).format(new Date(item.proof.occurred_at))}</strong> {proofText(item)}
              {item.order_reference && <span class="muted"> · {item.order_reference}</span>}
              {item.proof.status === "conflict" && <span class="muted"> · refused, see Refused driver actions</span>}
            </p>
            {item.proof.note && <p class="muted">“{item.proof.note}”</p>}
            {(item.proof.photos.length > 0 || item.proof.signature) && (
              <div class="conflict-media">
                {[...item.proof.photos, ...(item.proof.signature ? [item.proof.signature] : [])].map((sha) => (
                  <a href={mediaPath(sha)} target="_blank" rel="noopener noreferrer" key={sha}>
                    <img
                      src={mediaPath(sha)}
                      alt={sha === item.proof.signature ? "Signature" : "Delivery photo"}
                      loading="lazy"
                    />
                  </a>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
