import { describe, expect, it } from "vitest";
import {
  connectLive,
  reconnectDelayMs,
  socketUrl,
  type LiveEvent,
  type LiveFrame,
  type LiveOptions,
  type LiveStatus,
  type SocketLike,
} from "./live";

class FakeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  sent: unknown[] = [];
  closedWith: number | undefined;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedWith = code;
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

function harness(extra: Partial<LiveOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const events: LiveEvent[] = [];
  const frames: LiveFrame[] = [];
  const statuses: Array<[LiveStatus, { retryInMs?: number; closeCode?: number }]> = [];
  let resyncs = 0;
  const connection = connectLive({
    url: "ws://test/ws/dispatch",
    onEvent: (event) => events.push(event),
    onFrame: (frame) => frames.push(frame),
    onResync: () => resyncs++,
    onStatus: (status, detail) => statuses.push([status, detail]),
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    random: () => 1,
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
    ...extra,
  });
  const fire = (ms: number) => {
    const timer = timers.find((t) => t.ms === ms && !t.cleared);
    if (!timer) throw new Error(`no ${ms} ms timer`);
    timer.cleared = true;
    timer.callback();
  };
  return { sockets, timers, events, frames, statuses, resyncs: () => resyncs, connection, fire };
}

const EVENT = { id: "e1", type: "plan.created", subject_type: "plan", subject_id: "p1", payload: {}, actor: "x", occurred_at: "" };

describe("reconnectDelayMs", () => {
  it("doubles from a second up to half a minute, with up to half of it random", () => {
    expect(reconnectDelayMs(0, () => 1)).toBe(1_000);
    expect(reconnectDelayMs(0, () => 0)).toBe(500);
    expect(reconnectDelayMs(3, () => 1)).toBe(8_000);
    expect(reconnectDelayMs(20, () => 1)).toBe(30_000);
  });
});

describe("socketUrl", () => {
  it("follows the page's scheme", () => {
    expect(socketUrl("/ws/dispatch", { protocol: "https:", host: "d.example" })).toBe("wss://d.example/ws/dispatch");
    expect(socketUrl("/ws/dispatch", { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws/dispatch");
  });
});

describe("connectLive", () => {
  it("is live once the server says ready, and hands on events", () => {
    const live = harness();
    expect(live.statuses.at(-1)?.[0]).toBe("connecting");
    live.sockets[0]!.receive({ type: "ready", seq: null, data: {} });
    expect(live.statuses.at(-1)?.[0]).toBe("live");
    live.sockets[0]!.receive({ type: "event", seq: "e1", data: EVENT });
    live.sockets[0]!.receive({ type: "pong", seq: null, data: {} });
    expect(live.events).toEqual([EVENT]);
  });

  it("reconnects after a drop and resumes after the last event it saw", () => {
    const live = harness();
    live.sockets[0]!.receive({ type: "ready", seq: null, data: {} });
    live.sockets[0]!.receive({ type: "event", seq: "e1", data: EVENT });
    live.sockets[0]!.drop();
    expect(live.statuses.at(-1)).toEqual(["reconnecting", { retryInMs: 1_000, closeCode: 1006 }]);
    live.fire(1_000);
    live.sockets[1]!.receive({ type: "ready", seq: null, data: {} });
    expect(live.sockets[1]!.sent).toEqual([{ type: "resume", after: "e1" }]);
    live.sockets[1]!.receive({ type: "resync", seq: null, data: {} });
    expect(live.resyncs()).toBe(1);
  });

  it("backs off longer each time the server stays away", () => {
    const live = harness();
    live.sockets[0]!.drop();
    live.fire(1_000);
    live.sockets[1]!.drop();
    expect(live.statuses.at(-1)?.[1].retryInMs).toBe(2_000);
    live.fire(2_000);
    live.sockets[2]!.receive({ type: "ready", seq: null, data: {} });
    live.sockets[2]!.drop();
    expect(live.statuses.at(-1)?.[1].retryInMs).toBe(1_000); // a good connection resets the pause
  });

  it("asks for a reload after a drop when it has no event to resume from", () => {
    const live = harness();
    live.sockets[0]!.receive({ type: "ready", seq: null, data: {} });
    live.sockets[0]!.drop();
    live.fire(1_000);
    live.sockets[1]!.receive({ type: "ready", seq: null, data: {} });
    expect(live.resyncs()).toBe(1);
  });

  it("stops for good when the server refuses the session", () => {
    const live = harness();
    live.sockets[0]!.drop(4401);
    expect(live.statuses.at(-1)).toEqual(["stopped", { closeCode: 4401 }]);
    expect(live.timers.filter((t) => !t.cleared && t.ms === 1_000)).toEqual([]);
  });

  it("closes the socket and cancels a pending reconnect when the screen closes", () => {
    const live = harness();
    live.sockets[0]!.drop();
    live.connection.close();
    expect(live.timers.every((t) => t.cleared)).toBe(true);
    expect(live.sockets).toHaveLength(1);
    expect(live.statuses.at(-1)?.[0]).toBe("stopped");
  });

  it("hands error frames to onError, never to onFrame", () => {
    const errors: LiveFrame[] = [];
    const live = harness({ onError: (frame) => errors.push(frame) });
    live.sockets[0]!.receive({ type: "ready", seq: null, data: {} });
    live.sockets[0]!.receive({ type: "error", seq: null, data: { detail: "database away", retry: true } });
    expect(errors.map((e) => e.data)).toEqual([{ detail: "database away", retry: true }]);
    expect(live.frames).toEqual([]);
  });

  it("pings while live so proxies keep the connection", () => {
    const live = harness();
    live.sockets[0]!.receive({ type: "ready", seq: null, data: {} });
    live.fire(25_000);
    expect(live.sockets[0]!.sent).toEqual([{ type: "ping" }]);
  });
});

describe("connectLive with a socket that starts with a snapshot (/ws/track)", () => {
  const TRACK = { readyOn: "snapshot", seqFrom: "any", finalCloseCodes: [4404, 4410] } as const;
  const snapshot = (seq: number) => ({ type: "snapshot", seq, data: { status: "planned" } });

  it("is live at the first snapshot and hands on every frame but the transport's own", () => {
    const live = harness(TRACK);
    live.sockets[0]!.receive(snapshot(1));
    expect(live.statuses.at(-1)?.[0]).toBe("live");
    live.sockets[0]!.receive({ type: "position", seq: 2, data: { lat: 60, lon: 24 } });
    live.sockets[0]!.receive({ type: "heartbeat" });
    live.sockets[0]!.receive({ type: "pong", seq: null, data: {} });
    expect(live.frames.map((f) => f.type)).toEqual(["snapshot", "position"]);
    expect(live.sockets[0]!.sent).toEqual([]);
  });

  it("asks for a fresh snapshot after a reconnect, once, from the last seq of any frame", () => {
    const live = harness(TRACK);
    live.sockets[0]!.receive(snapshot(1));
    live.sockets[0]!.receive({ type: "eta", seq: 5, data: {} });
    live.sockets[0]!.drop();
    live.fire(1_000);
    live.sockets[1]!.receive(snapshot(7));
    live.sockets[1]!.receive(snapshot(8)); // the answer to the resume: no second resume
    expect(live.sockets[1]!.sent).toEqual([{ type: "resume", after: 5 }]);
    expect(live.frames.filter((f) => f.type === "snapshot")).toHaveLength(3);
    expect(live.resyncs()).toBe(0);
  });

  it("sends a frame only while live", () => {
    const live = harness(TRACK);
    expect(live.connection.send({ type: "resume", after: null })).toBe(false);
    live.sockets[0]!.receive(snapshot(1));
    expect(live.connection.send({ type: "resume", after: 1 })).toBe(true);
    expect(live.sockets[0]!.sent).toEqual([{ type: "resume", after: 1 }]);
    live.sockets[0]!.drop();
    expect(live.connection.send({ type: "resume", after: 1 })).toBe(false);
  });

  it("stops for good on an unknown or expired link", () => {
    const live = harness(TRACK);
    live.sockets[0]!.drop(4410);
    expect(live.statuses.at(-1)).toEqual(["stopped", { closeCode: 4410 }]);
    const other = harness(TRACK);
    other.sockets[0]!.drop(1013); // rate limited: later is fine
    expect(other.statuses.at(-1)?.[0]).toBe("reconnecting");
  });
});
