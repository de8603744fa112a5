// Links between the app's own screens: the address changes without reloading the page, as a plain
// link would; a middle click, Ctrl/Cmd-click or "open in new tab" still does what the browser does.
import type { ComponentChildren, TargetedMouseEvent } from "preact";
import { currentPath } from "../state/route";

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, "", path);
  currentPath.value = location.pathname;
  window.scrollTo(0, 0);
}

/** Keeps currentPath in step with the back and forward buttons; returns the way to stop. */
export function followHistory(): () => void {
  const update = () => (currentPath.value = location.pathname);
  window.addEventListener("popstate", update);
  return () => window.removeEventListener("popstate", update);
}

/** The few anchor attributes the app's links use; a plain <a> is there for anything else. */
interface LinkProps {
  href: string;
  class?: string;
  children: ComponentChildren;
}

export function Link({ href, class: className, children }: LinkProps) {
  function follow(event: TargetedMouseEvent<HTMLAnchorElement>) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(href);
  }
  return (
    <a class={className} href={href} onClick={follow}>
      {children}
    </a>
  );
}
