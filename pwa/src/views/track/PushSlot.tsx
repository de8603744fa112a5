// Where the notifications card goes on the tracking page. Its code (PushCard.tsx and what it uses) is a
// chunk of its own, fetched after the page shows and only where the browser can take notices: it is not
// part of what the page needs to show the delivery.
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import { useEffect } from "preact/hooks";
import { browserSupport, supportsPush } from "./push-support";

type Card = FunctionComponent<{ token: string; closed: boolean }>;

export function PushSlot(props: { token: string; closed: boolean }) {
  const card = useSignal<{ Card: Card } | null>(null);
  useEffect(() => {
    if (!supportsPush(browserSupport())) return;
    let current = true;
    import("./PushCard").then(
      (loaded) => current && (card.value = { Card: loaded.PushCard }),
      () => undefined, // not loaded (offline, a new deploy): the page works without it
    );
    return () => {
      current = false;
    };
  }, []);
  const loaded = card.value;
  return loaded ? <loaded.Card token={props.token} closed={props.closed} /> : null;
}
