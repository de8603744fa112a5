// The dispatcher's planning screen (a lazily loaded chunk): the day and its plans, the orders waiting,
// a form to add one, and the open plan with its map, routes and stops, kept live over /ws/dispatch.
// One column up to 64 rem (a tablet upright), a side column and the plan beside it from there.
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { AddOrderForm } from "./AddOrderForm";
import { ConflictsPanel } from "./ConflictsPanel";
import { ProofsPanel } from "./ProofsPanel";
import { ReturnsPanel } from "./ReturnsPanel";
import { loadBoard, startLiveUpdates } from "./dispatch-actions";
import "./dispatch.css";
import { OrdersPanel } from "./OrdersPanel";
import { PlanDayCard } from "./PlanDayCard";
import { PlanPanel } from "./PlanPanel";
import { ReportsPanel } from "./ReportsPanel";

export function DispatchScreen(_props: { user: CurrentUser }) {
  useEffect(() => {
    void loadBoard();
    return startLiveUpdates();
  }, []);

  return (
    <div class="dispatch">
      <div class="dispatch-day">
        <PlanDayCard />
      </div>
      <div class="dispatch-plan">
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
