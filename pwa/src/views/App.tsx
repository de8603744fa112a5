// Which screen a path shows. Screens other than the shell are lazily loaded chunks behind a small gate.
import { useEffect } from "preact/hooks";
import { followHistory } from "../components/Link";
import { currentPath } from "../state/route";
import { session } from "../state/session";
import { CarrierGate } from "./carrier/CarrierGate";
import { DispatchGate } from "./dispatch/DispatchGate";
import { DriverGate } from "./driver/DriverGate";
import { checkSession } from "./shell/session-actions";
import { Shell } from "./shell/Shell";
import { StoreGate } from "./store/StoreGate";
import { isStorePath } from "./store/tabs";
import { trackToken } from "./track/route";
import { TrackGate } from "./track/TrackGate";

export function App() {
  const path = currentPath.value;
  const token = trackToken(path);
  // A customer's tracking page has nobody signed in to ask about.
  const needsSession = token === null;

  useEffect(() => {
    const stopFollowing = followHistory();
    return stopFollowing;
  }, []);

  useEffect(() => {
    if (!needsSession) return;
    if (session.value.status === "checking") void checkSession();
    const recheck = () => {
      if (session.value.status === "unknown-offline") void checkSession();
    };
    window.addEventListener("online", recheck);
    return () => window.removeEventListener("online", recheck);
  }, [needsSession]);

  if (token !== null) return <TrackGate token={token} />;
  if (path === "/dispatch" || path.startsWith("/dispatch/")) return <DispatchGate />;
  if (path === "/driver" || path.startsWith("/driver/")) return <DriverGate />;
  if (isStorePath(path)) return <StoreGate />;
  if (path === "/carrier" || path.startsWith("/carrier/")) return <CarrierGate />;
  return <Shell />;
}
