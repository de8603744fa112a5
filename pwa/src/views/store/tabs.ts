// The store screens' tabs and their addresses: /store is the counter, the rest are /store/<tab>, so the
// back button and a bookmark on the tablet work. Pure, tested.

export type StoreTab = "counter" | "scan-in" | "lists" | "returns";

export interface TabInfo {
  tab: StoreTab;
  label: string;
  href: string;
}

export const TABS: readonly TabInfo[] = [
  { tab: "counter", label: "Counter", href: "/store" },
  { tab: "scan-in", label: "Scan in", href: "/store/scan-in" },
  { tab: "lists", label: "Lists", href: "/store/lists" },
  { tab: "returns", label: "Returns", href: "/store/returns" },
];

/** The tab an address shows; anything unknown under /store is the counter. */
export function tabOf(path: string): StoreTab {
  const rest = path.replace(/^\/store\/?/, "").replace(/\/+$/, "");
  return TABS.find((info) => info.tab === rest)?.tab ?? "counter";
}

export function isStorePath(path: string): boolean {
  return path === "/store" || path.startsWith("/store/");
}
