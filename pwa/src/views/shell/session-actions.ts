// What the shell's buttons do: ask the server (api/auth.ts) and record the answer (state/session.ts).
import { currentUser, signIn, signOut, type Credentials } from "../../api/auth";
import { NetworkError } from "../../api/client";
import { session } from "../../state/session";
import { requestErrorMessage } from "./messages";

/** Asks the server who is signed in; offline, says so instead of showing the sign-in form. */
export async function checkSession(): Promise<void> {
  try {
    const user = await currentUser();
    session.value = user ? { status: "signed-in", user } : { status: "signed-out" };
  } catch (error) {
    session.value =
      error instanceof NetworkError
        ? { status: "unknown-offline" }
        : { status: "signed-out", notice: requestErrorMessage(error) };
  }
}

/** Throws ApiError or NetworkError for the form to show. */
export async function signInWith(credentials: Credentials): Promise<void> {
  const user = await signIn(credentials);
  session.value = { status: "signed-in", user };
}

/** Throws NetworkError when the server could not be told; the person stays signed in then. */
export async function signOutNow(): Promise<void> {
  await signOut();
  session.value = { status: "signed-out" };
}
