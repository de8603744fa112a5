// Route colours: one per vehicle, the same vehicle keeps its colour across revisions of a plan.

/**
 * Eight hues far apart, each dark enough for white numbers on it (4.5:1 or more) and for a line on
 * light map tiles. Past eight routes the colours repeat with a dashed line, so no two look alike.
 */
export const ROUTE_COLOURS = [
  "#0057b8", // blue
  "#c2410c", // orange
  "#047857", // green
  "#be185d", // magenta
  "#6d28d9", // purple
  "#a16207", // ochre
  "#0e7490", // cyan
  "#374151", // slate
] as const;

export interface RouteStyle {
  colour: string;
  /** True from the ninth colour on: the hue repeats, the dashes tell the lines apart. */
  dashed: boolean;
}

export function routeStyle(index: number): RouteStyle {
  const i = Math.max(0, Math.floor(index));
  return { colour: ROUTE_COLOURS[i % ROUTE_COLOURS.length] ?? ROUTE_COLOURS[0], dashed: i >= ROUTE_COLOURS.length };
}

/**
 * A style per route, by its vehicle's place in the fleet list (so "Cargo bike 2" is always the same
 * colour); routes whose vehicle is not in the list follow, in plan order, with colours no vehicle took.
 */
export function assignRouteStyles(
  routes: ReadonlyArray<{ id: string; vehicle_id: string }>,
  vehicleIds: readonly string[],
): Map<string, RouteStyle> {
  const fleetIndex = new Map(vehicleIds.map((id, index) => [id, index]));
  const styles = new Map<string, RouteStyle>();
  let next = vehicleIds.length;
  for (const route of routes) {
    const index = fleetIndex.get(route.vehicle_id) ?? next++;
    styles.set(route.id, routeStyle(index));
  }
  return styles;
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
