// The proof of delivery on the customer's page once the parcel is handed over: who took it, when, the
// driver's photos and the signature (served through the tracking link itself).
import { trackingMediaPath, type DeliveryProofView } from "../../api/tracking";
import { formatWhen } from "./wording";

export function ProofCard(props: { proof: DeliveryProofView; token: string; now: Date }) {
  const { proof, token, now } = props;
  return (
    <section class="card track-card track-proof" aria-labelledby="track-proof-heading" data-testid="track-proof">
      <h2 id="track-proof-heading">Proof of delivery</h2>
      <p>
        Handed over {formatWhen(proof.delivered_at, now)}
        {proof.received_by ? ` to ${proof.received_by}` : ""}.
      </p>
      {proof.photos.length > 0 && (
        <div class="track-proof-photos">
          {proof.photos.map((sha, index) => (
            <a href={trackingMediaPath(token, sha)} target="_blank" rel="noopener noreferrer" key={sha}>
              <img
                src={trackingMediaPath(token, sha)}
                alt={`Delivery photo ${index + 1} of ${proof.photos.length}`}
                loading="lazy"
                data-testid="track-proof-photo"
              />
            </a>
          ))}
        </div>
      )}
      {proof.signature && (
        <figure class="track-proof-signature">
          <img src={trackingMediaPath(token, proof.signature)} alt="Signature of the person who took the parcel" />
          <figcaption class="muted">Signature</figcaption>
        </figure>
      )}
    </section>
  );
}
