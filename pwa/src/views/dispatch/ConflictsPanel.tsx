// What drivers did that the server refused (a stop cancelled or moved to someone else while their phone
// was offline): the proof they took is kept here for the dispatcher to sort out with the customer.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listConflicts, mediaPath, type Proof } from "../../api/proof";
import { timeZone } from "../../state/dispatch";
import { clockFormat } from "../../components/clock";

export const conflicts = signal<Proof[] | null>(null);

export async function loadConflicts(): Promise<void> {
  try {
    conflicts.value = await listConflicts();
  } catch (error) {
    console.warn("Could not load the refused driver actions.", error);
  }
}

const REASONS: Record<string, string> = {
  stop_cancelled: "the stop had been cancelled",
  reassigned: "the stop had moved to another driver",
  stop_closed: "the stop was already closed",
  route_closed: "the route was no longer active",
  not_found: "the stop was no longer on any route",
};

const KINDS: Record<string, string> = {
  delivered: "Delivered",
  failed: "Failed attempt",
  return_collected: "Return collected",
};

export function conflictText(proof: Proof): string {
  const what = KINDS[proof.kind] ?? proof.kind;
  const why = REASONS[proof.conflict_reason ?? ""] ?? (proof.conflict_reason ?? "refused");
  const who = proof.recipient_name ? ` to ${proof.recipient_name}` : "";
  return `${what}${who}, but ${why}.`;
}

export function ConflictsPanel() {
  useEffect(() => {
    void loadConflicts();
  }, []);
  const items = conflicts.value;
  if (!items || items.length === 0) return null;
  return (
    <section class="card conflicts-panel" aria-labelledby="conflicts-heading" data-testid="conflicts-panel">
      <h2 id="conflicts-heading">Refused driver actions ({items.length})</h2>
      <p class="muted">Drivers' actions the server refused. Their proof is kept; check with the customer.</p>
      <ul class="conflicts-list">
        {items.map((proof) => (
          <li key={proof.id} data-testid="conflict-item">
            <p>
              <strong>{clockFormat(timeZone.value).format(new Date(proof.occurred_at))}</strong> {conflictText(proof)}
            </p>
            {proof.note && <p class="muted">“{proof.note}”</p>}
            {(proof.photos.length > 0 || proof.signature) && (
              <div class="conflict-media">
                {[...proof.photos, ...(proof.signature ? [proof.signature] : [])].map((sha) => (
                  <a href={mediaPath(sha)} target="_blank" rel="noopener noreferrer" key={sha}>
                    <img src={mediaPath(sha)} alt={sha === proof.signature ? "Signature" : "Delivery photo"} loading="lazy" />
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
