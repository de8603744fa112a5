// Who may open the carrier screen: the office staff (administrators, dispatchers) of a carrier organization. The
// server decides for real (403 for anyone else); this only spares others a download and a screen of refusals.
import type { CurrentUser, Role } from "../../api/auth";

export const CARRIER_ROLES: readonly Role[] = ["admin", "dispatcher"];

export function isCarrierOrganization(user: Pick<CurrentUser, "organization_kind">): boolean {
  return user.organization_kind === "carrier";
}

export function canWorkAsCarrier(user: Pick<CurrentUser, "role" | "organization_kind">): boolean {
  return isCarrierOrganization(user) && CARRIER_ROLES.includes(user.role);
}
