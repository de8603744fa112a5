// A sheet over the screen (deliver, fail, collect a return, scan): a modal <dialog>, so focus stays in it,
// Escape and the phone's back gesture close it, and what is under it cannot be tapped by mistake.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { openSheets } from "./screen-state";

export interface SheetProps {
  id: string;
  title: string;
  /** A line under the title: which stop, whose. */
  subtitle?: string;
  onClose(): void;
  children: ComponentChildren;
}

export function Sheet(props: SheetProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (!element.open) element.showModal();
    openSheets.value += 1;
    return () => {
      openSheets.value -= 1;
      if (element.open) element.close();
    };
  }, []);

  const titleId = `${props.id}-title`;
  return (
    <dialog
      ref={dialog}
      class="sheet"
      aria-labelledby={titleId}
      data-testid={props.id}
      onCancel={(event) => {
        event.preventDefault(); // the parent unmounts the sheet; the dialog closes with it
        onClose.current();
      }}
    >
      <div class="sheet-inner">
        <header class="sheet-header">
          <div>
            <h2 id={titleId} class="sheet-title">
              {props.title}
            </h2>
            {props.subtitle && <p class="sheet-subtitle">{props.subtitle}</p>}
          </div>
          <button
            type="button"
            class="button button-secondary sheet-close"
            onClick={() => onClose.current()}
            data-testid={`${props.id}-close`}
          >
            Cancel
          </button>
        </header>
        <div class="sheet-body">{props.children}</div>
      </div>
    </dialog>
  );
}
