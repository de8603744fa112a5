// The plan on a map: each route's line in its colour, its stops numbered in driving order (ringed when
// a revision changed them, styled by how the stop went on the road, a red halo when late), the depots,
// every driver where they last were, and before any plan the orders waiting. The stop tables say the
// same in words; the map is a picture. A click on the map picks a place for a new order.
import { useEffect, useRef } from "preact/hooks";
import type { Location, OrderSummary, Route } from "../../api/planning";
import { baseTiles, L } from "../../components/map/leaflet";
import { driverIcon } from "../../components/map/markers";
import type { RouteStyle } from "./colours";
import { formatClock } from "./format";
import { escapeHtml, numberStops, routeLine } from "./stops";
import { stopKindText, stopStatusText } from "./wording";

export interface MappedRoute {
  id: string;
  name: string;
  style: RouteStyle;
  route: Route;
}

/** A driver on the map: where they last were, named by their vehicle when the plan says which. */
export interface MappedDriver {
  id: string;
  lat: number;
  lon: number;
  heading: number | null;
  /** Under the marker: "Van A". */
  label: string;
  /** The tooltip: "Van A · Dave Driver · 14:05". */
  title: string;
  /** Their route's colour, when they drive one of the plan's routes. */
  colour: string | undefined;
  /** The position is minutes old: drawn faded. */
  stale: boolean;
}

export interface RouteMapProps {
  routes: MappedRoute[];
  depots: Location[];
  /** Drawn as grey dots when there are no routes to show. */
  waiting: OrderSummary[];
  orderById: ReadonlyMap<string, OrderSummary>;
  selectedRouteId: string | null;
  /** Stops a live revision changed: their markers get a ring. */
  highlightedStopIds: ReadonlySet<string>;
  /** Open stops expected after their window: a red halo. */
  lateStopIds: ReadonlySet<string>;
  /** Live ETAs by stop id, for the tooltips. */
  etaByStop: ReadonlyMap<string, string>;
  drivers: MappedDriver[];
  /** The place picked for a new order, drawn as a pin. */
  picked: { lat: number; lon: number } | null;
  onPick: (lat: number, lon: number) => void;
  timeZone: string;
  /** The map refits its view when this changes (another plan, routes arrived), not on every render. */
  viewKey: string;
  label: string;
}

/** Helsinki, until the first plan or order says where the work is. */
const DEFAULT_CENTRE: L.LatLngExpression = [60.17, 24.94];
const DEFAULT_ZOOM = 12;

export function RouteMap(props: RouteMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const overlay = useRef<L.LayerGroup | null>(null);
  const fittedKey = useRef<string | null>(null);
  const pickedLayer = useRef<L.LayerGroup | null>(null);
  const driverLayer = useRef<L.LayerGroup | null>(null);
  /** The driver markers by driver id, kept between positions: moved, not redrawn. */
  const driverMarkers = useRef(new Map<string, { marker: L.Marker; iconKey: string }>());
  const onPick = useRef(props.onPick);
  onPick.current = props.onPick;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const created = L.map(element, { center: DEFAULT_CENTRE, zoom: DEFAULT_ZOOM, zoomSnap: 0.5 });
    baseTiles().addTo(created);
    overlay.current = L.layerGroup().addTo(created);
    pickedLayer.current = L.layerGroup().addTo(created);
    driverLayer.current = L.layerGroup().addTo(created);
    created.on("click", (event: L.LeafletMouseEvent) => onPick.current(event.latlng.lat, event.latlng.lng));
    map.current = created;
    // The panel changes width with the layout (and the window); Leaflet must be told.
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.remove();
      map.current = null;
      overlay.current = null;
      pickedLayer.current = null;
      driverLayer.current = null;
      driverMarkers.current.clear();
    };
  }, []);

  useEffect(() => {
    const layer = driverLayer.current;
    if (!layer) return;
    const markers = driverMarkers.current;
    const shown = new Set<string>();
    for (const driver of props.drivers) {
      shown.add(driver.id);
      const iconKey = `${driver.label}|${driver.colour ?? ""}|${driver.heading ?? ""}|${driver.stale}`;
      const icon = () =>
        driverIcon({
          heading: driver.heading,
          label: driver.label,
          stale: driver.stale,
          ...(driver.colour ? { colour: driver.colour } : {}),
        });
      const known = markers.get(driver.id);
      if (known) {
        known.marker.setLatLng([driver.lat, driver.lon]);
        if (known.iconKey !== iconKey) {
          known.marker.setIcon(icon());
          known.iconKey = iconKey;
        }
        known.marker.setTooltipContent(escapeHtml(driver.title));
        continue;
      }
      // above the stops: the van is what the dispatcher looks for
      const marker = L.marker([driver.lat, driver.lon], { icon: icon(), keyboard: false, zIndexOffset: 3000 });
      marker.bindTooltip(escapeHtml(driver.title));
      layer.addLayer(marker);
      markers.set(driver.id, { marker, iconKey });
    }
    for (const [id, known] of markers) {
      if (shown.has(id)) continue;
      layer.removeLayer(known.marker);
      markers.delete(id);
    }
  }, [props.drivers]);

  useEffect(() => {
    const layer = pickedLayer.current;
    if (!layer) return;
    layer.clearLayers();
    if (props.picked) {
      // Leaflet's own pin (its PNGs come from our bundle, see components/map/leaflet.ts)
      layer.addLayer(L.marker([props.picked.lat, props.picked.lon], { keyboard: false, title: "New order here" }));
    }
  }, [props.picked]);

  useEffect(() => {
    const current = map.current;
    const layers = overlay.current;
    if (!current || !layers) return;
    layers.clearLayers();
    const bounds = L.latLngBounds([]);

    if (props.routes.length === 0) {
      for (const order of props.waiting) {
        const dot = L.circleMarker([order.lat, order.lon], {
          radius: 5,
          color: "#ffffff",
          weight: 1.5,
          fillColor: "#4a5a54",
          fillOpacity: 0.9,
        });
        dot.bindTooltip(escapeHtml(`${order.recipient_name}, ${order.address}`));
        layers.addLayer(dot);
        bounds.extend(dot.getLatLng());
      }
    }

    // The picked route last, so it is drawn on top of the others.
    const ordered = [...props.routes].sort(
      (a, b) => Number(a.id === props.selectedRouteId) - Number(b.id === props.selectedRouteId),
    );
    for (const mapped of ordered) {
      const faded = props.selectedRouteId !== null && props.selectedRouteId !== mapped.id;
      const line = L.polyline(routeLine(mapped.route), {
        color: mapped.style.colour,
        weight: faded ? 3 : 5,
        opacity: faded ? 0.45 : 0.9,
        ...(mapped.style.dashed ? { dashArray: "10 8" } : {}),
        className: "route-line",
      });
      line.bindTooltip(mapped.name, { sticky: true });
      layers.addLayer(line);
      bounds.extend(line.getBounds());

      for (const { stop, number } of numberStops(mapped.route.stops)) {
        if (number === null || stop.order_id === null) continue; // start, end, breaks: the depot marker
        const order = props.orderById.get(stop.order_id);
        const changed = props.highlightedStopIds.has(stop.id);
        const late = props.lateStopIds.has(stop.id);
        const classes = ["stop-marker", `stop-marker-${stop.status}`];
        if (changed) classes.push("stop-marker-changed");
        if (late) classes.push("stop-marker-late");
        const marker = L.marker([stop.lat, stop.lon], {
          icon: L.divIcon({
            className: classes.join(" "),
            html: `<span style="--stop-colour:${mapped.style.colour}">${number}</span>`,
            iconSize: [24, 24],
            iconAnchor: [12, 12],
          }),
          keyboard: false, // dozens of tab stops on a picture; the stop table is the keyboard's way in
          opacity: faded ? 0.6 : 1,
          zIndexOffset: late || changed ? 1500 : faded ? 0 : 1000,
        });
        const who = order ? `${order.recipient_name}, ${order.address}` : stopKindText(stop.kind);
        const eta = props.etaByStop.get(stop.id);
        const onTheRoad = [
          stop.status === "pending" ? "" : stopStatusText(stop.status),
          eta && (stop.status === "pending" || stop.status === "arrived") ? `ETA ${formatClock(eta, props.timeZone)}` : "",
          late ? "late" : "",
        ].filter(Boolean);
        marker.bindTooltip(
          `${escapeHtml(mapped.name)} · stop ${number} · ${formatClock(stop.planned_arrival_at, props.timeZone)}` +
            `${changed ? " (changed)" : ""}${onTheRoad.length > 0 ? ` · ${onTheRoad.join(" · ")}` : ""}` +
            `<br>${escapeHtml(who)}`,
        );
        layers.addLayer(marker);
      }
    }

    const depots = new Map<string, { lat: number; lon: number; name: string }>();
    for (const depot of props.depots) depots.set(`${depot.lat},${depot.lon}`, depot);
    for (const mapped of props.routes) {
      const start = mapped.route.stops.find((s) => s.kind === "start");
      if (start && !depots.has(`${start.lat},${start.lon}`)) {
        depots.set(`${start.lat},${start.lon}`, { lat: start.lat, lon: start.lon, name: "Depot" });
      }
    }
    for (const depot of depots.values()) {
      const marker = L.marker([depot.lat, depot.lon], {
        icon: L.divIcon({
          className: "depot-marker",
          html: '<span aria-hidden="true">D</span>',
          iconSize: [30, 30],
          iconAnchor: [15, 15],
        }),
        keyboard: false,
        zIndexOffset: 2000,
        title: depot.name,
      });
      marker.bindTooltip(escapeHtml(depot.name));
      layers.addLayer(marker);
      if (props.routes.length > 0 || props.waiting.length > 0) bounds.extend(marker.getLatLng());
    }

    if (fittedKey.current !== props.viewKey && bounds.isValid()) {
      fittedKey.current = props.viewKey;
      // no zoom animation: its timer outlives a map removed mid-way (leaving the Day tab) and throws in Leaflet
      current.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false });
    }
  }, [
    props.routes,
    props.depots,
    props.waiting,
    props.orderById,
    props.selectedRouteId,
    props.highlightedStopIds,
    props.lateStopIds,
    props.etaByStop,
    props.timeZone,
    props.viewKey,
  ]);

  return <div ref={container} class="route-map" role="region" aria-label={props.label} />;
}
