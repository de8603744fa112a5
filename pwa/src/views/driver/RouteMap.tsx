// The day on a map: the route's line, its stops numbered (the next one larger, done ones faded), the depot,
// and the driver while the phone shares the location. A tap on a stop opens it. The list says the same
// in words and is the keyboard's way in.
import { useEffect, useRef } from "preact/hooks";
import type { Depot, DriverRoute } from "../../api/driver";
import { baseTiles, L } from "../../components/map/leaflet";
import { driverIcon } from "../../components/map/markers";
import { sharingState } from "../../state/driver";
import { isOpen, routeLine, type RouteStop } from "./stops";

export interface RouteMapProps {
  route: DriverRoute;
  stops: readonly RouteStop[];
  nextStopId: string | null;
  depot: Depot | null;
  onOpen(stopId: string): void;
}

/** Text safe in Leaflet's HTML icons and tooltips. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function RouteMap(props: RouteMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const me = useRef<L.Marker | null>(null);
  const fittedRoute = useRef<string | null>(null);
  const onOpen = useRef(props.onOpen);
  onOpen.current = props.onOpen;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const created = L.map(element, {
      zoomSnap: 0.5,
      center: [props.stops[0]?.stop.lat ?? 0, props.stops[0]?.stop.lon ?? 0],
      zoom: 13,
    });
    baseTiles().addTo(created);
    layer.current = L.layerGroup().addTo(created);
    map.current = created;
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.remove();
      map.current = null;
      layer.current = null;
      me.current = null;
    };
  }, []);

  useEffect(() => {
    const current = map.current;
    const group = layer.current;
    if (!current || !group) return;
    group.clearLayers();
    const line = L.polyline(routeLine(props.route), { color: "#0b5d4b", weight: 5, opacity: 0.85 });
    group.addLayer(line);
    const bounds = L.latLngBounds(line.getLatLngs() as L.LatLng[]);
    for (const routeStop of props.stops) {
      const { stop, number, order } = routeStop;
      if (number === null) continue;
      const next = stop.id === props.nextStopId;
      const classes = ["dmap-stop", isOpen(stop) ? "dmap-stop-open" : "dmap-stop-closed"];
      if (next) classes.push("dmap-stop-next");
      const size = next ? 36 : 28;
      const marker = L.marker([stop.lat, stop.lon], {
        icon: L.divIcon({
          className: classes.join(" "),
          html: `<span>${number}</span>`,
          iconSize: [size, size],
          iconAnchor: [size / 2, size / 2],
        }),
        keyboard: false,
        zIndexOffset: next ? 1000 : isOpen(stop) ? 500 : 0,
      });
      marker.bindTooltip(escapeHtml(`Stop ${number}${order ? `: ${order.recipient_name}, ${order.address}` : ""}`));
      marker.on("click", () => onOpen.current(stop.id));
      group.addLayer(marker);
      bounds.extend(marker.getLatLng());
    }
    if (props.depot) {
      const depot = L.marker([props.depot.lat, props.depot.lon], {
        icon: L.divIcon({
          className: "dmap-depot",
          html: '<span aria-hidden="true">D</span>',
          iconSize: [30, 30],
          iconAnchor: [15, 15],
        }),
        keyboard: false,
        title: props.depot.name,
      });
      group.addLayer(depot);
      bounds.extend(depot.getLatLng());
    }
    if (fittedRoute.current !== props.route.id && bounds.isValid()) {
      fittedRoute.current = props.route.id;
      current.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }
  }, [props.route, props.stops, props.nextStopId, props.depot]);

  // The driver's own position, while the phone shares it (the permission is granted then: no prompt here).
  const sharing = sharingState.value === "live" || sharingState.value === "buffering";
  useEffect(() => {
    if (!sharing || !navigator.geolocation) return;
    const watch = navigator.geolocation.watchPosition(
      (position) => {
        const current = map.current;
        if (!current) return;
        const at = L.latLng(position.coords.latitude, position.coords.longitude);
        const heading = Number.isFinite(position.coords.heading) ? position.coords.heading : null;
        if (!me.current) {
          me.current = L.marker(at, {
            icon: driverIcon({ heading }),
            keyboard: false,
            title: "You",
            zIndexOffset: 2000,
          }).addTo(current);
        } else {
          me.current.setLatLng(at);
          me.current.setIcon(driverIcon({ heading }));
        }
      },
      () => undefined,
      { enableHighAccuracy: true, maximumAge: 5_000 },
    );
    return () => {
      navigator.geolocation.clearWatch(watch);
      me.current?.remove();
      me.current = null;
    };
  }, [sharing]);

  return (
    <div ref={container} class="driver-map" role="region" aria-label="Map of today's stops" data-testid="driver-map" />
  );
}
