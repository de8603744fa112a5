// "Which store are you at?": one big button per store, for a person on the staff of several (and the office,
// who see every store). The choice is remembered on this device.
import { useEffect, useRef } from "preact/hooks";
import type { Store } from "../../api/store";

export function StorePicker(props: { stores: readonly Store[]; onChoose(store: Store): void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card store-picker" aria-labelledby="store-picker-title" data-testid="store-picker">
      <h2 id="store-picker-title" ref={heading} tabIndex={-1}>
        Which store are you at?
      </h2>
      <p class="muted">This device remembers your choice. You can change it at the bottom of the page.</p>
      <ul class="store-picker-list">
        {props.stores.map((store) => (
          <li key={store.id}>
            <button
              type="button"
              class="button button-secondary button-wide store-picker-button"
              onClick={() => props.onChoose(store)}
            >
              <span class="store-picker-name">{store.name}</span>
              <span class="store-picker-address">{store.address}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
