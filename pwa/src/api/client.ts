// The HTTP client every screen uses: JSON in and out, the session cookie, the CSRF header, and
// RFC 9457 problem details turned into ApiError.

/** An RFC 9457 problem details body; members beyond the standard five are allowed. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  [member: string]: unknown;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly problem: Problem;
  /** Seconds to wait before trying again, when the server said (429, 503); undefined otherwise. */
  readonly retryAfterS: number | undefined;

  constructor(options: { status: number; problem: Problem; retryAfterS?: number | undefined }) {
    const { status, problem } = options;
    const title = problem.title ?? `HTTP ${status}`;
    super(problem.detail ? `${title}: ${problem.detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = problem.detail;
    this.type = problem.type ?? "about:blank";
    this.problem = problem;
    this.retryAfterS = options.retryAfterS;
  }
}

/** The request never got an answer: offline, server down, or the connection dropped. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const SAFE_METHODS: ReadonlySet<Method> = new Set(["GET"]);

/** What a request may say beyond its body. */
export interface RequestOptions {
  /** Give up after this many milliseconds: the request fails with a NetworkError, as if the network had dropped. */
  timeoutMs?: number;
  /** Headers beyond the client's own, such as an Idempotency-Key. */
  headers?: Readonly<Record<string, string>>;
}

/** Bytes sent as they are (an image upload), with their own Content-Type, instead of JSON. */
export interface RawBody {
  data: Blob | ArrayBuffer;
  contentType: string;
}

export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** PUT or POST of raw bytes (PUT /api/media/{sha256}); the answer is JSON as for the other calls. */
  upload<T>(method: "PUT" | "POST", path: string, body: RawBody, options?: RequestOptions): Promise<T>;
  /** The token the server gave with the session; sent as X-CSRF-Token on every non-GET request. */
  setCsrfToken(token: string | null): void;
}

export function createApiClient(options: { baseUrl?: string; fetch?: typeof fetch } = {}): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let csrfToken: string | null = null;

  async function request<T>(
    method: Method,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
    raw?: RawBody,
  ): Promise<T> {
    const headers: Record<string, string> = {
      Accept: "application/json, application/problem+json",
      ...options.headers,
    };
    if (raw) headers["Content-Type"] = raw.contentType;
    else if (body !== undefined) headers["Content-Type"] = "application/json";
    if (!SAFE_METHODS.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;

    const { timeoutMs } = options;
    const abort = timeoutMs === undefined ? null : new AbortController();
    const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : null;
    const noAnswer = (cause: unknown) =>
      new NetworkError(
        abort?.signal.aborted
          ? `${method} ${path} got no answer within ${Math.ceil((timeoutMs ?? 0) / 1000)} s`
          : `${method} ${path} got no answer`,
        { cause },
      );
    try {
      let response: Response;
      try {
        response = await fetchImpl(baseUrl + path, {
          method,
          headers,
          credentials: "same-origin",
          ...(raw ? { body: raw.data } : body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(abort ? { signal: abort.signal } : {}),
        });
      } catch (cause) {
        throw noAnswer(cause);
      }
      if (!response.ok) throw await problemFromResponse(response);
      let text: string;
      try {
        text = await response.text(); // 204 and other empty answers have no JSON to parse
      } catch (cause) {
        throw noAnswer(cause); // the connection dropped, or the time ran out, halfway through the answer
      }
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }

  return {
    get: (path, options) => request("GET", path, undefined, options),
    post: (path, body, options) => request("POST", path, body, options),
    put: (path, body, options) => request("PUT", path, body, options),
    patch: (path, body) => request("PATCH", path, body),
    delete: (path) => request("DELETE", path),
    upload: (method, path, body, options) => request(method, path, undefined, options, body),
    setCsrfToken: (token) => {
      csrfToken = token;
    },
  };
}

/** Reads an error response into an ApiError, whether or not its body is problem+json. */
export async function problemFromResponse(response: Response, now: Date = new Date()): Promise<ApiError> {
  const contentType = response.headers.get("Content-Type") ?? "";
  let problem: Problem = {};
  if (/^application\/(problem\+)?json\b/i.test(contentType)) {
    try {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) problem = parsed as Problem;
    } catch {
      // A malformed body still leaves the status, which is enough to say what went wrong.
    }
  }
  if (typeof problem.title !== "string") {
    problem = { ...problem, title: response.statusText || `HTTP ${response.status}` };
  }
  if (typeof problem.detail !== "string") delete problem.detail;
  return new ApiError({
    status: response.status,
    problem,
    retryAfterS: retryAfterSeconds(response.headers, problem, now),
  });
}

/**
 * How long the server asked us to wait: Retry-After (seconds or an HTTP date), else the
 * RateLimit-Reset header (seconds), else a numeric `retry_after` member of the problem.
 */
export function retryAfterSeconds(headers: Headers, problem: Problem, now: Date): number | undefined {
  const retryAfter = headers.get("Retry-After")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
  }
  const reset = headers.get("RateLimit-Reset")?.trim();
  if (reset && /^\d+$/.test(reset)) return Number(reset);
  for (const member of ["retry_after", "retry_after_s"]) {
    const value = problem[member];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  return undefined;
}

/** The client the app uses: same origin as the page. */
export const api = createApiClient();
