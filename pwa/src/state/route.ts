// Which screen the address bar names. components/Link.tsx and the back button change it.
import { signal } from "@preact/signals";

export const currentPath = signal<string>(typeof location === "undefined" ? "/" : location.pathname);
