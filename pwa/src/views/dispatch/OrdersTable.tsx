// One page of orders as a table: reference, recipient, address, status, kind, window, created. A row opens
// the order's details (the recipient's name is the button for keyboards and screen readers). Under 48 rem
// each row is a small card with its labels; the roles keep it a table for assistive technology.
import type { TargetedMouseEvent } from "preact";
import type { OrderSummary } from "../../api/orders";
import { formatWindow } from "./format";
import { createdText } from "./orders-table";
import { orderKindText, orderStatusText } from "./wording";

interface Props {
  orders: readonly OrderSummary[];
  /** The day being planned: windows on it show without their date. */
  serviceDate: string;
  timeZone: string;
  openId: string | null;
  onOpen(orderId: string): void;
  /** What the table is, for screen readers: "Orders, 1–50 of 312". */
  caption: string;
}

export function OrdersTable(props: Props) {
  function openRow(event: TargetedMouseEvent<HTMLTableRowElement>, orderId: string) {
    // The button in the row opens it itself; a click on selected text is someone copying an address.
    if ((event.target as Element).closest("button, a")) return;
    if (window.getSelection()?.toString()) return;
    props.onOpen(orderId);
  }

  return (
    <table class="orders-table" role="table" data-testid="orders-table">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead role="rowgroup">
        <tr role="row">
          <th scope="col" role="columnheader">Reference</th>
          <th scope="col" role="columnheader">Recipient</th>
          <th scope="col" role="columnheader">Address</th>
          <th scope="col" role="columnheader">Status</th>
          <th scope="col" role="columnheader">Kind</th>
          <th scope="col" role="columnheader">Window</th>
          <th scope="col" role="columnheader">Created</th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {props.orders.map((order) => (
          <tr
            key={order.id}
            role="row"
            data-order-id={order.id}
            class={order.id === props.openId ? "orders-row orders-row-open" : "orders-row"}
            onClick={(event) => openRow(event, order.id)}
          >
            <td role="cell" data-label="Reference" class="orders-ref">
              {order.external_ref ?? <span class="muted">None</span>}
            </td>
            <td role="cell" data-label="Recipient" class="orders-recipient">
              <button
                type="button"
                class="link-button"
                aria-haspopup="dialog"
                onClick={() => props.onOpen(order.id)}
              >
                {order.recipient_name}
              </button>
            </td>
            <td role="cell" data-label="Address" class="orders-address">
              {order.address}
            </td>
            <td role="cell" data-label="Status">
              <span class={`chip chip-order-${order.status}`}>{orderStatusText(order.status)}</span>
            </td>
            <td role="cell" data-label="Kind">
              {orderKindText(order.kind)}
            </td>
            <td role="cell" data-label="Window" class="orders-time">
              {formatWindow(order.window_start_at, order.window_end_at, props.serviceDate, props.timeZone)}
            </td>
            <td role="cell" data-label="Created" class="orders-time">
              <time dateTime={order.created_at}>{createdText(order.created_at, props.timeZone)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
