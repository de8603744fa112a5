// The websocket transport for live screens: connect, resume after a drop from the last seq seen,
// reconnect with backoff, keep the connection warm. It knows frames, not what the events mean.
// Two dialects: /ws/dispatch says "ready" and resumes after the last domain event (a string seq);
// /ws/track/{token} starts with a "snapshot" and resumes after any frame's seq (publish time, ms).

/** A frame from the server: {"type", "seq", "data"} (backend/events/socket.py, backend/tracking/socket.py). */
export interface LiveFrame {
  type: string;
  seq: string | number | null;
  data: unknown;
}

/** A domain event as /ws/dispatch sends it (backend/events/service.py, to_message). */
export interface LiveEvent {
  id: string;
  type: string;
  subject_type: string;
  subject_id: string;
  payload: Record<string, unknown>;
  actor: string;
  occurred_at: string;
}

/**
 * connecting: the first attempt; live: subscribed; reconnecting: dropped, trying again after a pause;
 * stopped: the server refused us (signed out, wrong role) or the screen closed it: no more attempts.
 */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "stopped";

/** What the transport needs of a WebSocket (a fake in the tests). */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface LiveOptions {
  url: string;
  /** Each domain event ("event" frames). */
  onEvent?(event: LiveEvent): void;
  /** Every other frame but the transport's own (ready, resync, pong, heartbeat, error): snapshot, position, etas... */
  onFrame?(frame: LiveFrame): void;
  /** Events may have been missed (a drop without a seq to resume from, or too many missed): reload by HTTP. */
  onResync(): void;
  /** An "error" frame: the server could not use a frame of ours (data.detail; /ws/driver adds data.retry). */
  onError?(frame: LiveFrame): void;
  onStatus(status: LiveStatus, detail: { retryInMs?: number; closeCode?: number }): void;
  /**
   * The frame that says the server is listening: "ready" (default), or "snapshot" for a socket that
   * starts with one. Once per connection it makes the status live and sends the resume; a "snapshot"
   * is handed on to onFrame too.
   */
  readyOn?: string;
  /** Which frames' seq a resume continues from: domain "event" frames (default), or "any" frame with a seq. */
  seqFrom?: "event" | "any";
  /** Close codes after which the server will refuse us again, beside 4401, 4403 and 1008 (4404, 4410...). */
  finalCloseCodes?: Iterable<number>;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface LiveConnection {
  close(): void;
  /** Sends a frame ({"type": "resume", ...}) while live; false when not, so the caller can ask by HTTP instead. */
  send(frame: Record<string, unknown>): boolean;
}

const INITIAL_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000; // a server back after a restart is found within half a minute
const PING_INTERVAL_MS = 25_000; // under the usual 60 s idle timeout of proxies; the server allows 120 frames a minute
/** 4401: not signed in, 4403: not a dispatcher, 1008: origin refused. Trying again would not help. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403, 1008]);

/** The pause before attempt `attempt` (0-based): doubling from 1 s to 30 s, half of it random so tabs spread out. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The websocket URL of a path on this page's own server. */
export function socketUrl(path: string, page: { protocol: string; host: string } = location): string {
  return `${page.protocol === "https:" ? "wss" : "ws"}://${page.host}${path}`;
}

function parseFrame(raw: unknown): LiveFrame | null {
  if (typeof raw !== "string") return null;
  try {
    const frame: unknown = JSON.parse(raw);
    if (frame && typeof frame === "object" && typeof (frame as LiveFrame).type === "string") return frame as LiveFrame;
  } catch {
    // a frame we cannot read is skipped; the next resync covers what it said
  }
  return null;
}

export function connectLive(options: LiveOptions): LiveConnection {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const random = options.random ?? Math.random;

  const readyOn = options.readyOn ?? "ready";
  const finalCodes = new Set([...FINAL_CLOSE_CODES, ...(options.finalCloseCodes ?? [])]);
  let socket: SocketLike | null = null;
  let liveSocket: SocketLike | null = null;
  let lastSeq: string | number | null = null;
  let everReady = false;
  let attempt = 0;
  let closed = false;
  let retryTimer: unknown = null;
  let pingTimer: unknown = null;

  function schedulePing(): void {
    pingTimer = setTimer(() => {
      socket?.send(JSON.stringify({ type: "ping" }));
      schedulePing();
    }, PING_INTERVAL_MS);
  }

  function open(): void {
    const current = createSocket(options.url);
    socket = current;
    let readyHere = false;
    current.onmessage = (message) => {
      const frame = parseFrame(message.data);
      if (!frame || socket !== current) return;
      if (frame.type === readyOn && !readyHere) {
        readyHere = true;
        liveSocket = current;
        attempt = 0;
        options.onStatus("live", {});
        if (lastSeq !== null) current.send(JSON.stringify({ type: "resume", after: lastSeq }));
        else if (everReady) options.onResync();
        everReady = true;
        if (pingTimer === null) schedulePing();
        if (readyOn === "ready") return;
      }
      if (options.seqFrom === "any" && frame.seq !== null && frame.seq !== undefined) lastSeq = frame.seq;
      switch (frame.type) {
        case "ready":
          break; // a second one on the same connection says nothing new
        case "event":
          if (frame.seq !== null && frame.seq !== undefined) lastSeq = frame.seq;
          if (frame.data && typeof frame.data === "object") options.onEvent?.(frame.data as LiveEvent);
          break;
        case "resync":
          options.onResync();
          break;
        case "error":
          options.onError?.(frame); // it answers a frame of ours the server could not read or store
          break;
        case "pong":
        case "heartbeat":
          break; // the server is there
        default:
          options.onFrame?.(frame);
      }
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      liveSocket = null;
      if (pingTimer !== null) clearTimer(pingTimer);
      pingTimer = null;
      if (closed) return;
      if (finalCodes.has(event.code)) {
        closed = true;
        options.onStatus("stopped", { closeCode: event.code });
        return;
      }
      const retryInMs = reconnectDelayMs(attempt++, random);
      options.onStatus("reconnecting", { retryInMs, closeCode: event.code });
      retryTimer = setTimer(() => {
        retryTimer = null;
        if (!closed) open();
      }, retryInMs);
    };
    current.onerror = () => {
      // a close event follows every error; the reconnect is decided there
    };
  }

  options.onStatus("connecting", {});
  open();

  return {
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      if (pingTimer !== null) clearTimer(pingTimer);
      socket?.close(1000);
      socket = null;
      liveSocket = null;
      options.onStatus("stopped", {});
    },
    send(frame) {
      if (closed || liveSocket === null) return false;
      liveSocket.send(JSON.stringify(frame));
      return true;
    },
  };
}
