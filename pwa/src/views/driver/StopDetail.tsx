// One stop, open: who, where, the customer's instructions, the parcels (ticked as scanned here), the way
// there, and the actions for where the stop is at, in a bar at the bottom within the thumb's reach.
// Keyed by the stop's id: a re-plan that moves the stop in the list leaves it open here.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { LocalDay } from "../../offline/db";
import { DeliverSheet } from "./DeliverSheet";
import { arrive, doneAtDepot, startRoute } from "./driver-actions";
import { FailSheet } from "./FailSheet";
import { NavigateLink } from "./NavigateLink";
import { ReturnSheet } from "./ReturnSheet";
import { ScanSheet } from "./ScanSheet";
import { backToRoute } from "./screen-state";
import { atCustomer, expectedAt, isOpen, type RouteStop } from "./stops";
import { clock, countText, roleText, stopStatusText, windowText } from "./wording";

type SheetKind = "deliver" | "fail" | "return" | "scan";

export interface StopDetailProps {
  stopId: string;
  day: LocalDay;
  stops: readonly RouteStop[];
  pending: boolean;
  /** A stop was closed: back to the list with this said. */
  onDone(message: string): void;
}

export function StopDetail(props: StopDetailProps) {
  const sheet = useSignal<SheetKind | null>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  /** A confirmation for an action that leaves the stop open (a return collected). */
  const notice = useSignal<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [props.stopId]);

  // A re-plan may take the stop off the route while it is open, a proof half taken in a sheet: the stop as
  // last seen stays on screen (and the sheet with it); what is recorded goes to dispatch, who decides.
  const lastSeen = useRef<RouteStop | null>(null);
  const found = props.stops.find((s) => s.stop.id === props.stopId);
  if (found) lastSeen.current = found;
  const routeStop = found ?? lastSeen.current;
  const gone = !found;
  if (!routeStop) {
    return (
      <section class="card notice driver-card" data-testid="stop-gone" aria-labelledby="stop-gone-heading">
        <h1 id="stop-gone-heading" class="driver-card-title" ref={heading} tabIndex={-1}>
          This stop is no longer on your route
        </h1>
        <p>Dispatch changed the route. Nothing you recorded on this phone is lost.</p>
        <button type="button" class="button button-wide" onClick={backToRoute}>
          Back to your stops
        </button>
      </section>
    );
  }

  const { stop, order, number, role } = routeStop;
  const route = props.day.route;
  const routeId = route.id;
  const open = isOpen(stop);
  const customer = atCustomer(role);
  const returnPickup = role === "return-pickup";
  const onTheRoad = route.status === "in_progress";
  const expected = expectedAt(stop);
  const window = order ? windowText(order.window_start_at, order.window_end_at) : "";
  const title = order?.recipient_name ?? roleText(role);
  const scannedHere = Object.entries(props.day.local.scanned)
    .filter(([, mark]) => mark.stage === "stop" && mark.stop_id === stop.id)
    .map(([barcode]) => barcode);
  const collectedHere = Object.entries(props.day.local.collected).filter(([, mark]) => mark.stop_id === stop.id);
  const depotName = props.day.depot?.name ?? "Depot";

  async function act(action: () => Promise<void>, after?: string) {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await action();
      if (after) props.onDone(after);
    } catch (failure) {
      console.error("The action could not be saved.", failure);
      error.value = "This phone could not save that. Try again; if it keeps failing, restart the app.";
    } finally {
      busy.value = false;
    }
  }

  const closeSheet = () => (sheet.value = null);
  const sheetDone = (message: string) => {
    sheet.value = null;
    props.onDone(message);
  };

  return (
    <article
      class="stop-detail"
      data-testid="stop-detail"
      data-stop-id={stop.id}
      data-status={stop.status}
      aria-labelledby="stop-detail-title"
    >
      <div class="stop-detail-top">
        <button type="button" class="button button-secondary" onClick={backToRoute} data-testid="stop-back">
          ← All stops
        </button>
        <span class={`stop-badge stop-badge-${stop.status}`} data-testid="stop-detail-status">
          {stopStatusText(stop.status, role)}
        </span>
      </div>

      <header class="stop-detail-head">
        <h1 id="stop-detail-title" class="stop-detail-title" ref={heading} tabIndex={-1}>
          <span class="stop-number" aria-hidden="true">
            {number}
          </span>
          <span>
            <span class="visually-hidden">Stop {number}: </span>
            {title}
          </span>
        </h1>
        <p class="stop-detail-kind">
          {roleText(role)}
          {order ? ` · ${countText(order.parcels.length, "parcel")}` : ""}
          {props.pending ? " · not synced yet" : ""}
        </p>
      </header>

      {gone && (
        <div class="card notice driver-card" role="status" data-testid="stop-taken-off">
          <p>
            <strong>Dispatch took this stop off your route.</strong> If you are finishing a delivery here, what you
            record is still sent to dispatch.
          </p>
        </div>
      )}

      {!onTheRoad && open && route.status === "published" && (
        <div class="card notice driver-card">
          <p>Start the route before you record this stop.</p>
          <button
            type="button"
            class="button button-wide"
            onClick={() => void act(() => startRoute(routeId))}
            data-testid="stop-start-route"
          >
            Start route
          </button>
        </div>
      )}

      <dl class="stop-facts">
        {order && <Fact term="Address">{order.address}</Fact>}
        {!order && props.day.depot && <Fact term="Depot">{`${props.day.depot.name}, ${props.day.depot.address}`}</Fact>}
        {expected && open && <Fact term={expected.live ? "ETA" : "Planned"}>{clock(expected.at)}</Fact>}
        {window && <Fact term="Time window">{window}</Fact>}
        {stop.completed_at && !open && <Fact term={stopStatusText(stop.status, role)}>{clock(stop.completed_at)}</Fact>}
        {order?.reference && <Fact term="Reference">{order.reference}</Fact>}
        {order?.id_check_required && role !== "return-pickup" && <Fact term="Hand-over">Photo ID required</Fact>}
      </dl>

      {order?.notes && (
        <section class="stop-notes-box" aria-labelledby="stop-notes-heading" data-testid="stop-notes">
          <h2 id="stop-notes-heading">Customer's instructions</h2>
          <p>{order.notes}</p>
        </section>
      )}

      <div class="stop-links">
        <NavigateLink
          class="button"
          place={stop}
          label={order ? `${order.recipient_name}, ${order.address}` : depotName}
          text="Navigate"
          testId="stop-detail-navigate"
        />
        {order?.recipient_phone && (
          <a
            class="button button-secondary"
            href={`tel:${order.recipient_phone.replace(/[^\d+]/g, "")}`}
            data-testid="stop-call"
          >
            Call {order.recipient_name.split(" ")[0]}
          </a>
        )}
      </div>

      {order && order.parcels.length > 0 && (
        <section class="stop-parcels-box" aria-labelledby="stop-parcels-heading">
          <h2 id="stop-parcels-heading">
            {returnPickup ? "Parcels to collect" : "Parcels"} ({scannedHere.length} of {order.parcels.length} scanned
            here)
          </h2>
          <ul class="parcel-list">
            {order.parcels.map((parcel) => {
              const here = scannedHere.includes(parcel.barcode);
              return (
                <li
                  key={parcel.barcode}
                  class={here ? "parcel parcel-done" : "parcel"}
                  data-testid="stop-parcel"
                  data-scanned={here ? "true" : "false"}
                >
                  <span class="parcel-tick" aria-hidden="true">
                    {here ? "✓" : ""}
                  </span>
                  <span class="barcode">{parcel.barcode}</span>
                  <span class="visually-hidden">{here ? "scanned" : "not scanned"}</span>
                </li>
              );
            })}
          </ul>
          {open && (
            <button
              type="button"
              class="button button-secondary button-wide"
              onClick={() => (sheet.value = "scan")}
              data-testid="stop-scan"
            >
              Scan parcel
            </button>
          )}
        </section>
      )}

      {collectedHere.length > 0 && (
        <section class="stop-parcels-box" aria-labelledby="stop-returns-heading">
          <h2 id="stop-returns-heading">Returns collected here</h2>
          <ul class="parcel-list">
            {collectedHere.map(([barcode, mark]) => (
              <li key={barcode} class="parcel parcel-done" data-testid="stop-collected">
                <span class="parcel-tick" aria-hidden="true">
                  ✓
                </span>
                <span class="barcode">{barcode}</span> <span>({mark.condition})</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <p class={notice.value ? "stop-notice" : "visually-hidden"} role="status" data-testid="stop-notice">
        {notice.value ?? ""}
      </p>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}

      {onTheRoad && open && !gone && (
        <div class="stop-actions" data-testid="stop-actions">
          {stop.status === "pending" && (
            <button
              type="button"
              class="button button-wide stop-action-main"
              onClick={() => void act(() => arrive(routeId, routeStop))}
              aria-disabled={busy.value ? "true" : undefined}
              data-testid="action-arrive"
            >
              {busy.value ? "Saving…" : "Arrived"}
            </button>
          )}
          {customer ? (
            <div class="stop-actions-row">
              <button
                type="button"
                class={stop.status === "arrived" ? "button stop-action-main" : "button button-secondary"}
                onClick={() => (sheet.value = "deliver")}
                data-testid="action-deliver"
              >
                {returnPickup ? "Collected" : "Delivered"}
              </button>
              <button
                type="button"
                class="button button-secondary button-danger"
                onClick={() => (sheet.value = "fail")}
                data-testid="action-fail"
              >
                Failed
              </button>
            </div>
          ) : (
            <button
              type="button"
              class={
                stop.status === "arrived"
                  ? "button button-wide stop-action-main"
                  : "button button-secondary button-wide"
              }
              onClick={() =>
                void act(
                  () => doneAtDepot(routeId, routeStop, depotName, scannedHere),
                  `Stop ${number}: ${role === "depot-fetch" ? "parcel fetched" : "returns dropped off"}.`,
                )
              }
              data-testid="action-depot-done"
            >
              {role === "depot-fetch" ? "Parcel fetched" : "Returns dropped off"}
            </button>
          )}
          {role === "handover" && (
            <button
              type="button"
              class="button button-secondary button-wide"
              onClick={() => (sheet.value = "return")}
              data-testid="action-collect-return"
            >
              Collect a return
            </button>
          )}
        </div>
      )}

      {sheet.value === "deliver" && (
        <DeliverSheet
          routeId={routeId}
          routeStop={routeStop}
          scanned={scannedHere}
          onClose={closeSheet}
          onDone={sheetDone}
        />
      )}
      {sheet.value === "fail" && (
        <FailSheet routeId={routeId} routeStop={routeStop} onClose={closeSheet} onDone={sheetDone} />
      )}
      {sheet.value === "return" && (
        <ReturnSheet
          routeId={routeId}
          routeStop={routeStop}
          stops={props.stops}
          onClose={closeSheet}
          onDone={(message) => {
            // a return collected leaves the stop open: the driver still delivers here
            sheet.value = null;
            error.value = null;
            notice.value = message;
          }}
        />
      )}
      {sheet.value === "scan" && (
        <ScanSheet
          routeId={routeId}
          routeStop={routeStop}
          stops={props.stops}
          scannedHere={scannedHere}
          onClose={closeSheet}
        />
      )}
    </article>
  );
}

function Fact(props: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}
