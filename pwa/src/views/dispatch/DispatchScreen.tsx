// The dispatcher's planning screen (a lazily loaded chunk): the day and its plans, the orders waiting,
// a form to add one, and the open plan with its map, routes and stops, kept live over /ws/dispatch.
// One column up to 64 rem (a tablet upright), a side column and the plan beside it from there.
// Two views, a tab each: "Day" (/dispatch) and "Orders" (/dispatch/orders, OrdersView.tsx).
import type { ComponentChildren, TargetedMouseEvent } from "preact";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { navigate } from "../../components/Link";
import { currentPath } from "../../state/route";
import { AddOrderForm } from "./AddOrderForm";
import { ConflictsPanel } from "./ConflictsPanel";
import { ProofsPanel } from "./ProofsPanel";
import { ReturnsPanel } from "./ReturnsPanel";
import { loadBoard, startLiveUpdates } from "./dispatch-actions";
import { InboxPanel } from "./InboxPanel";
import "./dispatch.css";
import { OrdersPanel } from "./OrdersPanel";
import { ORDERS_PATH, ordersViewPath, OrdersView } from "./OrdersView";
import { PlanDayCard } from "./PlanDayCard";
import { PlanPanel } from "./PlanPanel";
import { ReportsPanel } from "./ReportsPanel";

export function DispatchScreen(_props: { user: CurrentUser }) {
  useEffect(() => {
    void loadBoard();
    return startLiveUpdates();
  }, []);

  const path = currentPath.value;
  if (path === ORDERS_PATH || path.startsWith(`${ORDERS_PATH}/`)) {
    return (
      <div class="dispatch-console">
        <DispatchTabs current="orders" />
        <OrdersView />
      </div>
    );
  }

  return (
    <div class="dispatch">
      <DispatchTabs current="day" />
      <div class="dispatch-day">
        <PlanDayCard />
      </div>
      <div class="dispatch-plan">
        <InboxPanel />
        <PlanPanel />
        <ReportsPanel />
      </div>
      <div class="dispatch-orders">
        <ConflictsPanel />
        <OrdersPanel />
        <AddOrderForm />
        <ReturnsPanel />
        <ProofsPanel />
      </div>
    </div>
  );
}

/** The console's views as tabs: links, so each view has its address and a middle click opens a new tab. */
function DispatchTabs(props: { current: "day" | "orders" }) {
  return (
    <nav class="dispatch-tabs" aria-label="Dispatch views">
      <TabLink href="/dispatch" current={props.current === "day"}>
        Day
      </TabLink>
      <TabLink href={ordersViewPath()} current={props.current === "orders"}>
        Orders
      </TabLink>
    </nav>
  );
}

function TabLink(props: { href: string; current: boolean; children: ComponentChildren }) {
  function follow(event: TargetedMouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (!props.current) navigate(props.href);
  }
  return (
    <a class="dispatch-tab" href={props.href} aria-current={props.current ? "page" : undefined} onClick={follow}>
      {props.children}
    </a>
  );
}
