// Who may open the dispatch screen. The server decides for real (403 otherwise); this only spares
// other roles a download and a screen of refusals.
import type { Role } from "../../api/auth";

export const DISPATCH_ROLES: readonly Role[] = ["admin", "dispatcher"];

export function canDispatch(role: Role): boolean {
  return DISPATCH_ROLES.includes(role);
}
