// The brand bar of a signed-in work screen (store, carrier): the Doorstep icon back to the apps, the app's name,
// the screen's own heading (children, an h1), and anything the screen shows beside it (a live badge).
import type { ComponentChildren } from "preact";
import { Link } from "../Link";
import "./screen-header.css";

export function ScreenHeader(props: { app: string; children: ComponentChildren; aside?: ComponentChildren }) {
  return (
    <header class="screen-header">
      <Link class="screen-home" href="/">
        <img src="/icons/icon.svg" alt="" width={32} height={32} />
        <span class="visually-hidden">Back to Doorstep apps</span>
      </Link>
      <div class="screen-heading">
        <p class="screen-app">{props.app}</p>
        {props.children}
      </div>
      {props.aside}
    </header>
  );
}
