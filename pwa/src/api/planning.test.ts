import { describe, expect, it } from "vitest";
import { createApiClient } from "./client";
import { reassignStop } from "./planning";

describe("moving a stop", () => {
  it("sends the target route and the dialog's Idempotency-Key", async () => {
    const seen: { url: string; headers: Record<string, string>; body: unknown }[] = [];
    const client = createApiClient({
      fetch: async (input, init) => {
        seen.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) }, body: init?.body });
        return new Response(JSON.stringify({ order_id: "o-1", replayed: false }), {
          status: 200,
          headers: { "Content-Type": "application/json" },
        });
      },
    });
    await reassignStop("r 1", "s-1", "r-2", "key-1:r-2", client);
    await reassignStop("r-1", "s-1", "r-2", undefined, client);
    expect(seen[0]?.url).toBe("/api/routes/r%201/stops/s-1/reassign");
    expect(seen[0]?.headers["Idempotency-Key"]).toBe("key-1:r-2");
    expect(JSON.parse(String(seen[0]?.body))).toEqual({ to_route_id: "r-2" });
    expect(seen[1]?.headers["Idempotency-Key"]).toBeUndefined();
  });
});
