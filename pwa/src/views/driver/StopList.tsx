// The day's stops in driving order. Stops already done before the next one fold away behind a button, so
// the next open stop is the first row in view, highlighted, with its Navigate link beside it.
import { useSignal } from "@preact/signals";
import { NavigateLink } from "./NavigateLink";
import { expectedAt, isOpen, type RouteStop } from "./stops";
import { clock, countText, roleText, stopStatusText, windowText } from "./wording";

export interface StopListProps {
  stops: readonly RouteStop[];
  next: RouteStop | null;
  /** Stops with actions not yet synced. */
  pending: ReadonlySet<string>;
  /** Stops a re-plan added or moved, until the driver says OK. */
  changed: ReadonlyMap<string, "new" | "moved">;
  depotName: string | null;
  onOpen(stopId: string): void;
}

/** Barcodes shown on a row before "+N more": a row is for a glance, the stop for the list. */
const ROW_BARCODES = 3;

export function StopList(props: StopListProps) {
  const showDone = useSignal(false);
  const nextIndex = props.next ? props.stops.indexOf(props.next) : -1;
  // Only stops already done fold away (with the depot start before them); the start alone stays in the list.
  const before = nextIndex > 0 ? props.stops.slice(0, nextIndex) : [];
  const foldedDone = before.filter((s) => s.number !== null).length;
  const folded = foldedDone > 0 ? before : [];
  const shown = showDone.value || folded.length === 0 ? props.stops : props.stops.slice(nextIndex);

  return (
    <section class="stop-list-section" aria-labelledby="stop-list-heading">
      <h2 id="stop-list-heading" class="visually-hidden">
        Stops
      </h2>
      {folded.length > 0 && (
        <button
          type="button"
          class="button button-secondary button-wide"
          aria-expanded={showDone.value}
          onClick={() => (showDone.value = !showDone.value)}
          data-testid="toggle-done-stops"
        >
          {showDone.value ? "Hide" : "Show"} {countText(foldedDone, "finished stop")}
        </button>
      )}
      <ol class="stop-list">
        {shown.map((routeStop) =>
          routeStop.number === null ? (
            <DepotRow key={routeStop.stop.id} routeStop={routeStop} depotName={props.depotName} />
          ) : (
            <StopRow
              key={routeStop.stop.id}
              routeStop={routeStop}
              isNext={routeStop === props.next}
              pending={props.pending.has(routeStop.stop.id)}
              changed={props.changed.get(routeStop.stop.id)}
              onOpen={props.onOpen}
            />
          ),
        )}
      </ol>
    </section>
  );
}

function DepotRow(props: { routeStop: RouteStop; depotName: string | null }) {
  const { stop, role } = props.routeStop;
  const at = role === "depot-start" ? (stop.planned_departure_at ?? stop.planned_arrival_at) : expectedAt(stop)?.at;
  return (
    <li class="stop-item stop-item-depot" data-testid="depot-row" data-kind={stop.kind}>
      <span class="stop-number stop-number-depot" aria-hidden="true">
        {role === "break" ? "‖" : "D"}
      </span>
      <span>
        <strong>{roleText(role)}</strong>
        {role !== "break" && props.depotName ? ` · ${props.depotName}` : ""}
        {at ? ` · ${role === "depot-start" ? "leave" : "about"} ${clock(at)}` : ""}
      </span>
    </li>
  );
}

function StopRow(props: {
  routeStop: RouteStop;
  isNext: boolean;
  pending: boolean;
  changed: "new" | "moved" | undefined;
  onOpen(stopId: string): void;
}) {
  const { stop, order, number, role } = props.routeStop;
  const expected = expectedAt(stop);
  const window = order ? windowText(order.window_start_at, order.window_end_at) : "";
  const barcodes = order?.parcels.map((p) => p.barcode) ?? [];
  const open = isOpen(stop);
  const classes = ["stop-item", `stop-item-${stop.status}`];
  if (props.isNext) classes.push("stop-item-next");
  if (!open) classes.push("stop-item-closed");
  const name = order?.recipient_name ?? roleText(role);

  return (
    <li
      class={classes.join(" ")}
      data-testid="stop-row"
      data-stop-id={stop.id}
      data-status={stop.status}
      data-number={number ?? undefined}
      data-next={props.isNext ? "true" : undefined}
    >
      <button
        type="button"
        class="stop-row"
        onClick={() => props.onOpen(stop.id)}
        aria-current={props.isNext ? "step" : undefined}
      >
        <span class="stop-number" aria-hidden="true">
          {number}
        </span>
        <span class="stop-times">
          <span class="visually-hidden">Stop {number}: </span>
          {props.isNext && <span class="stop-next-label">Next stop</span>}
          {expected && open && (
            <span class="stop-eta">
              {expected.live ? "ETA" : "Planned"} {clock(expected.at)}
            </span>
          )}
        </span>
        <span class="stop-main">
          <span class="stop-name">{name}</span>
          {order && <span class="stop-address">{order.address}</span>}
          {window && <span class="stop-window">Window {window}</span>}
          {role !== "handover" && <span class="stop-role">{roleText(role)}</span>}
          {order?.notes && open && <span class="stop-notes">“{order.notes}”</span>}
          {barcodes.length > 0 && (
            <span class="stop-parcels">
              {countText(barcodes.length, "parcel")}:{" "}
              <span class="barcode">{barcodes.slice(0, ROW_BARCODES).join(", ")}</span>
              {barcodes.length > ROW_BARCODES ? ` +${barcodes.length - ROW_BARCODES} more` : ""}
            </span>
          )}
        </span>
        <span class="stop-side">
          <span class={`stop-badge stop-badge-${stop.status}`} data-testid="stop-status">
            {stopStatusText(stop.status, role)}
          </span>
          {props.changed && (
            <span class="stop-badge stop-badge-changed" data-testid="stop-changed">
              {props.changed === "new" ? "New" : "Moved"}
            </span>
          )}
          {props.pending && (
            <span class="stop-sync-mark" data-testid="stop-pending">
              Not synced
            </span>
          )}
        </span>
      </button>
      {props.isNext && order && (
        <NavigateLink
          class="button stop-navigate"
          place={stop}
          label={`${order.recipient_name}, ${order.address}`}
          text={`Navigate to stop ${number}`}
          testId="stop-navigate"
        />
      )}
    </li>
  );
}
