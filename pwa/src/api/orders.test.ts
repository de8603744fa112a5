import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient, NetworkError } from "./client";
import { cancellableClient, findOrders, importOrders, orderListPath } from "./orders";

const EMPTY_PAGE = { items: [], total: 0, limit: 50, offset: 0 };

describe("the orders list request", () => {
  it("sends only the filters that are set, encoded", () => {
    expect(orderListPath({ status: null, kind: null, q: "", limit: 50, offset: 0 })).toBe("/api/orders?limit=50&offset=0");
    expect(orderListPath({ status: "created", kind: "return", q: "Korhonen, E & co", limit: 50, offset: 100 })).toBe(
      "/api/orders?limit=50&offset=100&status=created&kind=return&q=Korhonen%2C+E+%26+co",
    );
  });

  it("is cancelled when its signal aborts, failing as a request that got no answer", async () => {
    const controller = new AbortController();
    const fetchImpl = vi.fn(
      (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")));
          setTimeout(() => resolve(Response.json(EMPTY_PAGE)), 1000);
        }),
    );
    const answer = findOrders(
      { status: null, kind: null, q: "a", limit: 50, offset: 0 },
      cancellableClient(controller.signal, fetchImpl as typeof fetch),
    );
    controller.abort();
    await expect(answer).rejects.toBeInstanceOf(NetworkError);
    expect(fetchImpl.mock.calls[0]?.[1]?.signal).toBe(controller.signal);
  });
});

describe("the import request", () => {
  it("sends the file as it is, with its type, the partial flag and the CSRF token", async () => {
    const fetchImpl = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      Response.json({ created: 2, updated: 0, rejected: 1, errors: [], order_ids: ["a", "b"] }),
    );
    const client = createApiClient({ fetch: fetchImpl as typeof fetch });
    client.setCsrfToken("token-1");
    const file = new Blob(["external_ref,recipient_name\n"], { type: "application/vnd.ms-excel" });
    const result = await importOrders(file, "text/csv", true, client);
    expect(result.created).toBe(2);
    const [url, init] = fetchImpl.mock.calls[0] ?? [];
    expect(url).toBe("/api/orders/import?partial=true");
    expect(init?.method).toBe("POST");
    expect(init?.body).toBe(file);
    const headers = init?.headers as Record<string, string>;
    expect(headers["Content-Type"]).toBe("text/csv");
    expect(headers["X-CSRF-Token"]).toBe("token-1");
  });

  it("asks for all or nothing unless told otherwise, and hands back the server's row errors", async () => {
    const problem = { title: "The import has invalid rows; nothing was imported", status: 422, rejected: 1, rows: 3, errors: [] };
    const fetchImpl = vi.fn(
      async (_input: RequestInfo | URL, _init?: RequestInit) =>
        new Response(JSON.stringify(problem), { status: 422, headers: { "Content-Type": "application/problem+json" } }),
    );
    const answer = importOrders(new Blob(["x"]), "text/csv", false, createApiClient({ fetch: fetchImpl as typeof fetch }));
    await expect(answer).rejects.toBeInstanceOf(ApiError);
    await answer.catch((error: ApiError) => expect(error.problem["rows"]).toBe(3));
    expect(fetchImpl.mock.calls[0]?.[0]).toBe("/api/orders/import?partial=false");
  });
});
