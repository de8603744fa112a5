// Who is signed in, as the views read it. Views and api/auth.ts write it; nothing here fetches.
import { signal } from "@preact/signals";
import type { CurrentUser } from "../api/auth";

export type SessionState =
  | { status: "checking" }
  /** notice: why we could not tell, when the server failed to answer who is signed in. */
  | { status: "signed-out"; notice?: string }
  | { status: "signed-in"; user: CurrentUser }
  /** The server could not be reached to ask; we don't know who is signed in. */
  | { status: "unknown-offline" };

export const session = signal<SessionState>({ status: "checking" });
