import { afterEach, describe, expect, it, vi } from "vitest";
import { NetworkError } from "../../api/client";
import { session } from "../../state/session";
import { record } from "./carrier-actions";
import { carrierOrder } from "./test-fixtures";
import { UpdateKeeper } from "./updates";

interface Call {
  url: string;
  key: string | undefined;
  body: unknown;
}

/** The server as the page's fetch sees it: each answer in turn ("drop" loses the connection). */
function server(answers: Array<number | "drop">): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    const body: unknown = init.body ? JSON.parse(String(init.body)) : null;
    calls.push({ url: input, key: headers["Idempotency-Key"], body });
    const answer = answers.shift() ?? 200;
    if (answer === "drop") throw new TypeError("Failed to fetch");
    const answerBody =
      answer === 200
        ? { order_id: "o", status: "out_for_delivery", replayed: calls.length > 1 }
        : { title: answer === 409 ? "This order cannot move to that state" : "Error", detail: "It is cancelled" };
    return new Response(JSON.stringify(answerBody), {
      status: answer,
      headers: { "Content-Type": answer === 200 ? "application/json" : "application/problem+json" },
    });
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("recording an update", () => {
  it("sends a retry after a lost answer with the same key and time, and a new update with a new key", async () => {
    const calls = server(["drop", 503, 200, 200]);
    const keeper = new UpdateKeeper(null, "k");
    const order = carrierOrder();
    await expect(record(keeper, order, { status: "picked_up" })).rejects.toBeInstanceOf(NetworkError);
    await expect(record(keeper, order, { status: "picked_up" })).rejects.toMatchObject({ status: 503 });
    const { applied } = await record(keeper, order, { status: "picked_up" });
    expect(applied.status).toBe("out_for_delivery");
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(new Set(calls.map((c) => JSON.stringify(c.body))).size).toBe(1);
    expect(keeper.unanswered(order.id)).toBeNull();
    await record(keeper, order, { status: "picked_up" }); // answered: the next one is a new update
    expect(calls[3]?.key).not.toBe(calls[0]?.key);
  });

  it("lets the key go when the server refuses, and the session end on a 401", async () => {
    const calls = server([409, 401]);
    const keeper = new UpdateKeeper(null, "k");
    const order = carrierOrder();
    await expect(record(keeper, order, { status: "picked_up" })).rejects.toMatchObject({
      status: 409,
      detail: "It is cancelled",
    });
    expect(keeper.unanswered(order.id)).toBeNull();
    const user = { id: "u", email: "e", name: "n", role: "dispatcher", organization_id: "o", organization_name: "C" };
    session.value = { status: "signed-in", user };
    await expect(record(keeper, order, { status: "picked_up" })).rejects.toMatchObject({ status: 401 });
    expect(session.value.status).toBe("signed-out");
    expect(calls[0]?.key).not.toBe(calls[1]?.key);
    expect(calls[0]?.url).toBe(`/api/carrier/orders/${order.id}/status`);
  });
});
