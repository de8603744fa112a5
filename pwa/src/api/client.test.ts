import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient, NetworkError, problemFromResponse } from "./client";

function problemResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

describe("problemFromResponse", () => {
  it("carries the problem's title, detail, status and type", async () => {
    const error = await problemFromResponse(
      problemResponse(401, {
        type: "https://doorstep.dev/problems/invalid-credentials",
        title: "Invalid credentials",
        status: 401,
        detail: "Email or password is wrong.",
      }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.title).toBe("Invalid credentials");
    expect(error.detail).toBe("Email or password is wrong.");
    expect(error.type).toBe("https://doorstep.dev/problems/invalid-credentials");
    expect(error.message).toBe("Invalid credentials: Email or password is wrong.");
  });

  it("keeps extension members of the problem", async () => {
    const error = await problemFromResponse(
      problemResponse(422, { title: "Invalid order", status: 422, errors: [{ field: "address" }] }),
    );
    expect(error.problem["errors"]).toEqual([{ field: "address" }]);
  });

  it("falls back to the HTTP status when the body is not JSON", async () => {
    const error = await problemFromResponse(
      new Response("<h1>Bad Gateway</h1>", { status: 502, statusText: "Bad Gateway", headers: { "Content-Type": "text/html" } }),
    );
    expect(error.status).toBe(502);
    expect(error.title).toBe("Bad Gateway");
    expect(error.detail).toBeUndefined();
    expect(error.type).toBe("about:blank");
  });

  it("survives a malformed JSON body", async () => {
    const error = await problemFromResponse(
      new Response("{not json", { status: 500, headers: { "Content-Type": "application/problem+json" } }),
    );
    expect(error.status).toBe(500);
    expect(error.title).toBe("HTTP 500");
  });

  it("reads how long to wait from Retry-After in seconds", async () => {
    const error = await problemFromResponse(problemResponse(429, { title: "Too Many Requests" }, { "Retry-After": "42" }));
    expect(error.retryAfterS).toBe(42);
  });

  it("reads how long to wait from Retry-After as an HTTP date", async () => {
    const now = new Date("2026-11-25T10:00:00Z");
    const error = await problemFromResponse(
      problemResponse(429, { title: "Too Many Requests" }, { "Retry-After": "Wed, 25 Nov 2026 10:00:30 GMT" }),
      now,
    );
    expect(error.retryAfterS).toBe(30);
  });

  it("reads how long to wait from RateLimit-Reset, then from the problem", async () => {
    const fromHeader = await problemFromResponse(problemResponse(429, { title: "Too Many Requests" }, { "RateLimit-Reset": "17" }));
    expect(fromHeader.retryAfterS).toBe(17);
    const fromBody = await problemFromResponse(problemResponse(429, { title: "Too Many Requests", retry_after: 8.2 }));
    expect(fromBody.retryAfterS).toBe(9);
  });
});

describe("createApiClient", () => {
  it("sends JSON with the session cookie and parses JSON back", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => Response.json({ ok: true }));
    const client = createApiClient({ fetch });
    await expect(client.post("/api/auth/login", { email: "a@b.c", password: "x" })).resolves.toEqual({ ok: true });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("/api/auth/login");
    expect(init?.method).toBe("POST");
    expect(init?.credentials).toBe("same-origin");
    expect(init?.body).toBe('{"email":"a@b.c","password":"x"}');
    expect(init?.headers).toMatchObject({ "Content-Type": "application/json" });
  });

  it("sends X-CSRF-Token on non-GET requests once it is known, never on GET", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => new Response(null, { status: 204 }));
    const client = createApiClient({ fetch });
    await client.post("/api/auth/logout");
    expect(fetch.mock.calls[0]![1]?.headers).not.toHaveProperty("X-CSRF-Token");

    client.setCsrfToken("token-1");
    await client.get("/api/auth/me");
    await client.post("/api/auth/logout");
    await client.delete("/api/orders/1");
    expect(fetch.mock.calls[1]![1]?.headers).not.toHaveProperty("X-CSRF-Token");
    expect(fetch.mock.calls[2]![1]?.headers).toMatchObject({ "X-CSRF-Token": "token-1" });
    expect(fetch.mock.calls[3]![1]?.headers).toMatchObject({ "X-CSRF-Token": "token-1" });
  });

  it("answers undefined for 204 No Content", async () => {
    const client = createApiClient({ fetch: async () => new Response(null, { status: 204 }) });
    await expect(client.post("/api/auth/logout")).resolves.toBeUndefined();
  });

  it("throws ApiError for an error status", async () => {
    const client = createApiClient({
      fetch: async () => problemResponse(401, { title: "Unauthorized", status: 401, detail: "Sign in first." }),
    });
    await expect(client.get("/api/auth/me")).rejects.toMatchObject({ name: "ApiError", status: 401, detail: "Sign in first." });
  });

  it("uploads raw bytes with their own Content-Type and the CSRF token", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => Response.json({ sha256: "ab" }, { status: 201 }));
    const client = createApiClient({ fetch });
    client.setCsrfToken("token-1");
    const bytes = new Blob(["jpeg"], { type: "image/jpeg" });
    await expect(client.upload("PUT", "/api/media/ab", { data: bytes, contentType: "image/jpeg" })).resolves.toEqual({ sha256: "ab" });
    const init = fetch.mock.calls[0]![1];
    expect(init?.method).toBe("PUT");
    expect(init?.body).toBe(bytes);
    expect(init?.headers).toMatchObject({ "Content-Type": "image/jpeg", "X-CSRF-Token": "token-1" });
  });

  it("gives up with a NetworkError after timeoutMs", async () => {
    const client = createApiClient({
      fetch: (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    });
    await expect(client.post("/api/sync", { commands: [] }, { timeoutMs: 10 })).rejects.toThrow(/no answer within 1 s/);
  });

  it("throws NetworkError when there is no answer", async () => {
    const client = createApiClient({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await expect(client.get("/api/auth/me")).rejects.toBeInstanceOf(NetworkError);
  });
});
