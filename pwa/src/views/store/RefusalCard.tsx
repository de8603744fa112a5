// A refusal as the server said it, plainly and large: the title, then its own sentence (an unknown code,
// already handed over at 14:03, 1 parcel not scanned in yet, a parcel waiting at another store).
import type { Refusal } from "./wording";

export function RefusalCard(props: { refusal: Refusal; testId: string }) {
  return (
    <div class="store-refusal" role="alert" data-testid={props.testId}>
      <p class="store-refusal-title">{props.refusal.title}</p>
      {props.refusal.detail && <p class="store-refusal-detail">{props.refusal.detail}</p>}
    </div>
  );
}
