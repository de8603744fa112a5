import { describe, expect, it } from "vitest";
import { fetchCarrierOrders, PhotoRefused, postStatus, uploadPhoto } from "./carrier";
import { createApiClient } from "./client";
import { sha256Hex } from "./sha256";

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function recording(answer: (seen: Seen) => Response) {
  const seen: Seen[] = [];
  const client = createApiClient({
    fetch: async (input, init) => {
      const call = {
        url: String(input),
        method: init?.method ?? "GET",
        headers: { ...(init?.headers as Record<string, string>) },
        body: init?.body,
      };
      seen.push(call);
      return answer(call);
    },
  });
  return { client, seen };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("the carrier's API", () => {
  it("sends an update with its Idempotency-Key and the session's CSRF token", async () => {
    const { client, seen } = recording(() => json({ order_id: "o-1", status: "out_for_delivery", replayed: false }));
    client.setCsrfToken("csrf-1");
    const update = { status: "picked_up", occurred_at: "2026-11-27T09:00:00Z" } as const;
    const applied = await postStatus("o-1", update, "key-1", client);
    expect(applied.status).toBe("out_for_delivery");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/api/carrier/orders/o-1/status");
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.headers["Idempotency-Key"]).toBe("key-1");
    expect(seen[0]?.headers["X-CSRF-Token"]).toBe("csrf-1");
    expect(JSON.parse(String(seen[0]?.body))).toEqual({ status: "picked_up", occurred_at: "2026-11-27T09:00:00Z" });
  });

  it("reads every page of the list", async () => {
    const all = Array.from({ length: 250 }, (_, i) => ({ id: `o-${i}` }));
    const { client, seen } = recording((call) => {
      const params = new URL(call.url, "http://x").searchParams;
      const offset = Number(params.get("offset"));
      const limit = Number(params.get("limit"));
      return json({ items: all.slice(offset, offset + limit), total: all.length, limit, offset });
    });
    const { orders, total } = await fetchCarrierOrders(client);
    expect(total).toBe(250);
    expect(orders.map((o) => o.id)).toEqual(all.map((o) => o.id));
    expect(seen.map((s) => s.url)).toEqual([
      "/api/carrier/orders?limit=200&offset=0",
      "/api/carrier/orders?limit=200&offset=200",
    ]);
  });

  it("uploads a photo under the SHA-256 of its bytes, and refuses what the server would", async () => {
    const { client, seen } = recording(() => json({ sha256: "x" }, 201));
    const photo = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], { type: "image/jpeg" });
    const sha256 = await uploadPhoto(photo, client);
    expect(sha256).toBe(await sha256Hex(await photo.arrayBuffer()));
    expect(seen[0]?.url).toBe(`/api/media/${sha256}`);
    expect(seen[0]?.method).toBe("PUT");
    expect(seen[0]?.headers["Content-Type"]).toBe("image/jpeg");
    await expect(uploadPhoto(new Blob(["gif"], { type: "image/gif" }), client)).rejects.toBeInstanceOf(PhotoRefused);
    expect(seen).toHaveLength(1);
  });
});
