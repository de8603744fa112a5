// Sign-in, the current session and sign-out (/api/auth/*), keeping the client's CSRF token in step.
import { api, ApiError, type ApiClient } from "./client";

export type Role = "admin" | "dispatcher" | "driver" | "store_staff" | (string & {});

/** Who is signed in, as the server describes them. */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string;
  organization_name: string;
  /** What the organization is (a carrier, a store); sent by the server beyond the first contract. */
  organization_kind?: string;
}

/** The body of POST /api/auth/login and GET /api/auth/me. */
export interface Session {
  user: CurrentUser;
  csrf_token: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export async function signIn(credentials: Credentials, client: ApiClient = api): Promise<CurrentUser> {
  const session = await client.post<Session>("/api/auth/login", credentials);
  client.setCsrfToken(session.csrf_token);
  return session.user;
}

/** The signed-in user, or null when there is no session (401). */
/** A server that connects but never answers counts as unreachable after this (the screens open offline). */
export const SESSION_CHECK_TIMEOUT_MS = 10_000;

export async function currentUser(client: ApiClient = api): Promise<CurrentUser | null> {
  try {
    const session = await client.get<Session>("/api/auth/me", { timeoutMs: SESSION_CHECK_TIMEOUT_MS });
    client.setCsrfToken(session.csrf_token);
    return session.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      client.setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export async function signOut(client: ApiClient = api): Promise<void> {
  try {
    await client.post<void>("/api/auth/logout");
  } catch (error) {
    // A session that already ended (expired, or signed out in another tab) is the outcome we want;
    // anything else (offline) keeps the token so that trying again can succeed.
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  client.setCsrfToken(null);
}
