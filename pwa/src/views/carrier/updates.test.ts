import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import { mayRetry, signatureOf, UpdateKeeper } from "./updates";

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

function keeper(storage: Storage | null = new MemoryStorage()) {
  let n = 0;
  let minute = 0;
  return new UpdateKeeper(
    storage,
    "carrier-updates:user-1",
    () => `key-${++n}`,
    () => new Date(Date.UTC(2026, 10, 27, 9, minute++)),
  );
}

describe("idempotency keys", () => {
  it("sends a retry of an unanswered update with the same key and the same time", () => {
    const keys = keeper();
    const first = keys.prepare("order-1", { status: "delivered", recipient_name: "Aino", photos: ["ab"] });
    expect(first.key).toBe("key-1");
    expect(first.update).toEqual({
      status: "delivered",
      recipient_name: "Aino",
      photos: ["ab"],
      occurred_at: "2026-11-27T09:00:00.000Z",
    });
    const retry = keys.prepare("order-1", { photos: ["ab"], recipient_name: "Aino", status: "delivered" });
    expect(retry).toEqual(first);
    expect(keys.unanswered("order-1")).toEqual(first);
  });

  it("gives a new key once the server has answered, and to another update of the same order", () => {
    const keys = keeper();
    const picked = keys.prepare("order-1", { status: "picked_up" });
    keys.answered(picked);
    expect(keys.unanswered("order-1")).toBeNull();
    expect(keys.prepare("order-1", { status: "picked_up" }).key).toBe("key-2");
    const changed = keys.prepare("order-1", { status: "delivered", recipient_name: "Aino" });
    expect(changed.key).toBe("key-3");
    keys.answered(picked); // a late answer of an older try does not drop the newer one
    expect(keys.unanswered("order-1")?.key).toBe("key-3");
  });

  it("keeps each order's update apart", () => {
    const keys = keeper();
    const one = keys.prepare("order-1", { status: "picked_up" });
    const two = keys.prepare("order-2", { status: "picked_up" });
    expect(one.key).not.toBe(two.key);
    keys.answered(one);
    expect(keys.unanswered("order-2")).toEqual(two);
  });

  it("keeps unanswered updates across a reload, and forgets them in storage once answered", () => {
    const storage = new MemoryStorage();
    const before = keeper(storage);
    const sent = before.prepare("order-1", { status: "failed", reason: "not_home", note: "" });
    expect(sent.update).toEqual({ status: "failed", reason: "not_home", occurred_at: "2026-11-27T09:00:00.000Z" });
    const after = keeper(storage);
    expect(after.prepare("order-1", { status: "failed", reason: "not_home" })).toEqual(sent);
    after.answered(sent);
    expect(storage.getItem("carrier-updates:user-1")).toBeNull();
    expect(keeper(storage).unanswered("order-1")).toBeNull();
  });

  it("works without storage, and with damaged storage", () => {
    const keys = keeper(null);
    const sent = keys.prepare("order-1", { status: "picked_up" });
    expect(keys.prepare("order-1", { status: "picked_up" }).key).toBe(sent.key);
    const damaged = new MemoryStorage();
    damaged.setItem("carrier-updates:user-1", "{not json");
    expect(keeper(damaged).unanswered("order-1")).toBeNull();
  });

  it("writes the same intent the same way whatever the order of its members", () => {
    expect(signatureOf({ status: "failed", reason: "refused", note: "x" })).toBe(
      signatureOf({ note: "x", reason: "refused", status: "failed" }),
    );
    expect(signatureOf({ status: "delivered", recipient_name: "A", photos: [] })).toBe(
      signatureOf({ status: "delivered", recipient_name: "A" }),
    );
  });

  it("keeps the key for a retry only when the answer may have been lost", () => {
    const problem = (status: number) => new ApiError({ status, problem: { title: "x" } });
    expect(mayRetry(new NetworkError("no answer"))).toBe(true);
    expect(mayRetry(problem(500))).toBe(true);
    expect(mayRetry(problem(503))).toBe(true);
    expect(mayRetry(problem(429))).toBe(true);
    expect(mayRetry(problem(409))).toBe(false); // cancelled by the shipper: the server's word
    expect(mayRetry(problem(404))).toBe(false);
    expect(mayRetry(problem(422))).toBe(false);
  });
});
