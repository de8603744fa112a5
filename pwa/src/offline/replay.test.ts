import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../api/client";
import type { CommandType } from "../api/driver";
import { addMedia, deleteDb, getMedia, listRejected, outboxAll, queueCommand, type Command } from "./db";
import { replayOutbox, toWire } from "./replay";
import { FakeServer, json, ROUTE_ID } from "./test-fixtures";

let server: FakeServer;
let client: ApiClient;
let counter = 0;

beforeEach(async () => {
  await deleteDb();
  server = new FakeServer();
  client = createApiClient({ fetch: server.fetch });
});

async function queue(type: CommandType = "parcel.scan", payload: Record<string, unknown> = {}, media: string[] = []) {
  counter++;
  const { command } = await queueCommand(
    {
      id: `cmd-${counter}`,
      type,
      route_id: ROUTE_ID,
      stop_id: type.startsWith("stop.") ? "s1" : null,
      order_id: null,
      occurred_at: new Date(Date.UTC(2025, 5, 2, 8, 0, counter)).toISOString(),
      payload,
      media,
    },
    (day) => day,
  );
  return command;
}

async function photo(sha: string, uploaded = false) {
  await addMedia({ sha256: sha, bytes: new Uint8Array([1, 2, 3]).buffer, type: "image/jpeg", size: 3, uploaded, stored_at: "2025-06-02T08:00:00Z" });
}

describe("replayOutbox", () => {
  it("uploads a command's photos before the command, then empties the outbox and deletes the photos", async () => {
    await photo("aa");
    await queue("stop.deliver", { recipient_name: "Ada", photos: ["aa"], signature: null }, ["aa"]);
    const report = await replayOutbox({ client });
    expect(report).toMatchObject({ outcome: "done", applied: 1, pending: 0, error: null });
    const order = server.requests.map((r) => `${r.method} ${r.path}`);
    expect(order).toEqual(["PUT /api/media/aa", "POST /api/sync"]);
    expect(await outboxAll()).toEqual([]);
    expect(await getMedia("aa")).toBeNull();
    expect(report.syncedAt).not.toBeNull();
  });

  it("sends the commands in outbox order, in batches of at most 50, without the app's own fields", async () => {
    for (let i = 0; i < 120; i++) await queue();
    await replayOutbox({ client });
    expect(server.syncCalls.map((c) => c.length)).toEqual([50, 50, 20]);
    const sent = server.syncCalls.flat();
    expect(sent.map((c) => c.id)).toEqual([...sent.map((c) => c.id)].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))));
    expect(Object.keys(sent[0] as object).sort()).toEqual(
      ["id", "occurred_at", "order_id", "payload", "route_id", "stop_id", "type"].sort(),
    );
  });

  it("drops duplicates like applied ones", async () => {
    const command = await queue();
    server.applied.set(command.id, toWire(command));
    expect(await replayOutbox({ client })).toMatchObject({ outcome: "done", applied: 1, pending: 0 });
    expect(server.effects).toEqual([]);
  });

  it("moves a rejected command to the rejected store with the server's reason and message, keeping its photo", async () => {
    await photo("bb");
    const command = await queue("stop.deliver", { photos: ["bb"] }, ["bb"]);
    server.verdicts.set(command.id, { outcome: "rejected", reason: "stop_cancelled", message: "This stop was cancelled." });
    const report = await replayOutbox({ client });
    expect(report.rejected).toHaveLength(1);
    expect(await outboxAll()).toEqual([]);
    const [entry] = await listRejected();
    expect(entry).toMatchObject({ reason: "stop_cancelled", message: "This stop was cancelled.", command: { id: command.id } });
    expect(await getMedia("bb")).not.toBeNull();
  });

  it("keeps a command the server asks for again and uploads its photo again next time", async () => {
    await photo("cc", true); // the phone thinks the server has it; the server lost it
    const command = await queue("stop.deliver", { photos: ["cc"] }, ["cc"]);
    const first = await replayOutbox({ client });
    expect(first).toMatchObject({ outcome: "done", retried: 1, pending: 1 });
    expect((await getMedia("cc"))?.uploaded).toBe(false);
    const second = await replayOutbox({ client });
    expect(second).toMatchObject({ outcome: "done", applied: 1, pending: 0 });
    expect(server.effects).toEqual([command.id]);
  });

  it("refuses a command whose photo the server will never take (413), keeps the photo, and goes on", async () => {
    await photo("dd");
    const big = await queue("stop.deliver", { photos: ["dd"] }, ["dd"]);
    const next = await queue();
    server.fail = ({ method, path }) => (method === "PUT" && path.endsWith("/dd") ? json(413, { title: "Too large", status: 413 }) : (null));
    const report = await replayOutbox({ client });
    expect(report.applied).toBe(1);
    expect(server.effects).toEqual([next.id]);
    const [entry] = await listRejected();
    expect(entry?.command.id).toBe(big.id);
    expect(entry?.reason).toBe("media_refused");
    expect(entry?.message).toMatch(/8 MB/);
    expect(await getMedia("dd")).not.toBeNull();
  });

  it("keeps everything when the network drops, and stops the round there", async () => {
    await queue();
    await queue();
    server.fail = () => {
      throw new TypeError("Failed to fetch");
    };
    const report = await replayOutbox({ client });
    expect(report).toMatchObject({ outcome: "offline", applied: 0, pending: 2 });
    expect((await outboxAll()).map((c) => c.id)).toHaveLength(2);
  });

  it("keeps everything on a 500 and passes on the server's Retry-After", async () => {
    await queue();
    server.fail = () => new Response("busy", { status: 503, headers: { "Retry-After": "7" } });
    const report = await replayOutbox({ client });
    expect(report).toMatchObject({ outcome: "server-error", pending: 1, retryAfterS: 7 });
  });

  it("says the session ended on a 401 and drops nothing", async () => {
    await queue();
    server.fail = () => json(401, { title: "Not signed in", status: 401 });
    const report = await replayOutbox({ client });
    expect(report.outcome).toBe("signed-out");
    expect(report.error).toMatch(/Sign in again/);
    expect(await outboxAll()).toHaveLength(1);
  });

  it("gets a new CSRF token once when the page has none (opened offline) and sends again", async () => {
    server.csrfToken = "fresh";
    await queue();
    const report = await replayOutbox({ client });
    expect(report).toMatchObject({ outcome: "done", applied: 1 });
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.csrf}`)).toEqual([
      "POST /api/sync null",
      "GET /api/auth/me null",
      "POST /api/sync fresh",
    ]);
  });

  it("finds the one command a batch is refused for (422) and sends the others", async () => {
    const good = await queue();
    const bad = await queue("parcel.scan", { unknown: true });
    server.fail = ({ body }) => {
      const commands = (body as { commands?: Command[] } | undefined)?.commands;
      return commands?.some((c) => c.id === bad.id)
        ? json(422, { title: "Invalid", status: 422, detail: "unknown field payload.unknown" })
        : (null);
    };
    const report = await replayOutbox({ client });
    expect(server.effects).toEqual([good.id]);
    expect(report.rejected.map((r) => [r.command.id, r.reason])).toEqual([[bad.id, "invalid"]]);
    expect(report.pending).toBe(0);
  });

  it("loses and duplicates nothing across many forced failures (RELIABILITY 17)", async () => {
    for (let i = 0; i < 100; i++) await queue();
    let calls = 0;
    let failures = 0;
    server.fail = async (request) => {
      calls++;
      if (failures >= 20 || calls % 2 !== 0) return null;
      failures++;
      if (failures % 4 === 0) return new Response("oops", { status: 500 });
      if (failures % 4 === 1) throw new TypeError("connection reset");
      if (failures % 4 === 2) {
        // the server applied the batch, but the answer never arrived
        await server.fetch(`http://test${request.path}`, { method: request.method, body: JSON.stringify(request.body), headers: request.headers });
        throw new TypeError("connection closed mid-answer");
      }
      return new Response("gateway", { status: 502 });
    };
    let rounds = 0;
    while ((await outboxAll()).length > 0 && rounds < 100) {
      rounds++;
      await replayOutbox({ client, batchSize: 3 });
    }
    expect(failures).toBe(20);
    expect(await outboxAll()).toEqual([]);
    expect(server.effects).toHaveLength(100);
    expect(new Set(server.effects).size).toBe(100);
  });
});
