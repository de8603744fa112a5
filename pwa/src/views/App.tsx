// Which screen a path shows. Screens other than the shell are lazily loaded chunks behind a small gate.
import { useEffect } from "preact/hooks";
import { followHistory } from "../components/Link";
import { currentPath } from "../state/route";
import { session } from "../state/session";
import { DispatchGate } from "./dispatch/DispatchGate";
import { checkSession } from "./shell/session-actions";
import { Shell } from "./shell/Shell";

export function App() {
  useEffect(() => {
    void checkSession();
    const recheck = () => {
      if (session.value.status === "unknown-offline") void checkSession();
    };
    window.addEventListener("online", recheck);
    const stopFollowing = followHistory();
    return () => {
      window.removeEventListener("online", recheck);
      stopFollowing();
    };
  }, []);

  const path = currentPath.value;
  if (path === "/dispatch" || path.startsWith("/dispatch/")) return <DispatchGate />;
  return <Shell />;
}
