// Who may open the driver app. The server decides for real (the driver endpoints are for drivers); this
// only spares other roles a download and a screen of refusals.
import type { Role } from "../../api/auth";

export function canDrive(role: Role): boolean {
  return role === "driver";
}
