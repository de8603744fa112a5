// Who may open the store screens. The server decides for real (403 otherwise, and staff see only their
// own stores); this only spares other roles a download and a screen of refusals.
import type { Role } from "../../api/auth";

export const STORE_ROLES: readonly Role[] = ["store_staff", "admin", "dispatcher"];

export function canServeStore(role: Role): boolean {
  return STORE_ROLES.includes(role);
}
