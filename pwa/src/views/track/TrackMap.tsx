// The customer's map: their address, and the driver while theirs is the next stop, moving as positions come.
// The view keeps both in sight and zooms in as the driver comes closer, until the customer pans or zooms
// the map themselves; from then on it only follows a driver who would leave the view.
import { useEffect, useRef } from "preact/hooks";
import type { DriverPosition } from "../../api/tracking";
import { baseTiles, L } from "../../components/map/leaflet";
import { destinationIcon, driverIcon } from "../../components/map/markers";

export interface TrackMapProps {
  destination: { lat: number; lon: number };
  driver: DriverPosition | null;
  /** "Your driver Dave", for the marker's tooltip. */
  driverLabel: string;
}

const ZOOM = 15;
const MAX_FIT_ZOOM = 17;
const FIT_PADDING: L.PointExpression = [48, 48];
/** Zoom levels the view may lag behind the best fit before it refits: no zoom jolt at every position. */
const REFIT_ZOOM_STEP = 1;

export function TrackMap(props: TrackMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const destination = useRef<L.Marker | null>(null);
  const driver = useRef<L.Marker | null>(null);
  const fitting = useRef(false);
  const heading = useRef<number | null>(null);
  /** True until the customer moves the map themselves. */
  const following = useRef(true);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const created = L.map(element, {
      center: [props.destination.lat, props.destination.lon],
      zoom: ZOOM,
      zoomSnap: 0.5,
      scrollWheelZoom: false, // the page scrolls past the map on a phone; pinch and the buttons still zoom
    });
    baseTiles().addTo(created);
    destination.current = L.marker([props.destination.lat, props.destination.lon], {
      icon: destinationIcon(),
      keyboard: false,
      title: "Your address",
      zIndexOffset: 500,
    }).addTo(created);
    // A drag, a pinch or a zoom button is the customer's: the map stops refitting (programmatic moves
    // happen inside fit(), which says so).
    created.on("dragstart", () => (following.current = false));
    created.on("zoomstart", () => {
      if (!fitting.current) following.current = false;
    });
    map.current = created;
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.remove();
      map.current = null;
      destination.current = null;
      driver.current = null;
    };
  }, []);

  useEffect(() => {
    destination.current?.setLatLng([props.destination.lat, props.destination.lon]);
  }, [props.destination.lat, props.destination.lon]);

  useEffect(() => {
    const current = map.current;
    if (!current) return;
    const position = props.driver;
    if (!position) {
      driver.current?.remove();
      driver.current = null;
      return;
    }
    const at = L.latLng(position.lat, position.lon);
    const both = L.latLngBounds([at, [props.destination.lat, props.destination.lon]]);
    const fit = () => {
      fitting.current = true;
      try {
        // not animated: Leaflet starts an animated zoom a frame later, after this guard is down
        current.fitBounds(both, { padding: FIT_PADDING, maxZoom: MAX_FIT_ZOOM, animate: false });
      } finally {
        fitting.current = false;
      }
    };
    if (!driver.current) {
      heading.current = position.heading;
      driver.current = L.marker(at, {
        icon: driverIcon({ heading: position.heading }),
        keyboard: false,
        title: props.driverLabel,
        zIndexOffset: 1000,
      }).addTo(current);
      if (following.current) fit();
      return;
    }
    driver.current.setLatLng(at);
    if (position.heading !== heading.current) driver.current.setIcon(driverIcon({ heading: position.heading }));
    heading.current = position.heading;
    const inView = current.getBounds().pad(-0.1).contains(both);
    if (!following.current) {
      if (!current.getBounds().contains(at)) current.panTo(at);
    } else if (!inView || Math.min(MAX_FIT_ZOOM, current.getBoundsZoom(both, false, L.point(96, 96))) - current.getZoom() >= REFIT_ZOOM_STEP) {
      fit();
    }
  }, [props.driver]);

  return (
    <div
      ref={container}
      class="track-map"
      role="region"
      aria-label={props.driver ? "Map of your address and your driver" : "Map of your address"}
      data-testid="track-map"
    />
  );
}
