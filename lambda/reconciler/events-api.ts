/**
 * A small `GET /v1/events` pager over global `fetch`, for the reconciler Lambda. The package's axios client
 * (components/lemon-api) is not used because the Lambda bundle must contain only `lambda/` code: no axios,
 * no Pulumi, so the bundle stays a few kilobytes. Same headers as that client (Bearer key, the
 * `LMG-Data-Privacy-*` pair, Accept, User-Agent) and the same retry policy (429, 5xx, network and timeouts
 * retried with full-jitter backoff, `Retry-After` honoured up to a cap).
 *
 * Parameter names follow spec/lemon-markets/lemonmarkets-events-webhooks-api-openapi.yml: `since`
 * (date-time), `sort` (`asc`: oldest first), `type` (ONE event type), `limit` (1..100), `cursor`
 * ("a cursor will include filter parameters", so follow-up pages send only the cursor and the limit).
 *
 * The run's deadline bounds everything: no request starts with less than {@link MIN_REQUEST_MS} left, a
 * request's timeout never reaches past the deadline, and no retry wait (`Retry-After` included) that would
 * end past it is started; the pager then stops with an `EventsApiError` of kind `deadline`.
 */
import { ApiKeyFormatError, EventsApiError } from "./errors";

/** Largest page the API serves. */
export const EVENTS_PAGE_SIZE = 100;

/** Least time left for a request to be started: less could not even finish a TLS handshake. */
export const MIN_REQUEST_MS = 1_000;

/** What can be sent as the Bearer token: printable ASCII without spaces (RFC 6750's b64token and more). */
const API_KEY_PATTERN = /^[\x21-\x7e]+$/;

/** Retry settings; the defaults match components/lemon-api's `DEFAULT_RETRY_POLICY`. */
export interface EventsRetryPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_EVENTS_RETRY: EventsRetryPolicy = Object.freeze({
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
});

/** Where and as whom the pager reads. */
export interface EventsApiOptions {
  /** API root including `/v1`, no trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly privacyPrincipal: string;
  readonly privacyJustification: string;
  /** Per-request timeout. Default 10000 ms. */
  readonly timeoutMs?: number;
  readonly retry?: EventsRetryPolicy;
  /** Injectable for tests. Defaults: `setTimeout`, `Math.random`, `Date.now`. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** The filter of one reconciliation: `since` as an ISO timestamp, oldest first, optionally one type. */
export interface EventsQuery {
  readonly since: string;
  readonly type?: string;
}

/** Limits of one paging. */
export interface PagingLimits {
  /** Epoch ms by which every request and retry wait must have ended. Default: none. */
  readonly deadlineMs?: number;
}

/** Reads events page by page; each page is the raw `data` array (validated per event by the caller). */
export interface EventsApi {
  pages(query: EventsQuery, limits?: PagingLimits): AsyncIterable<readonly unknown[]>;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

function delayMs(retry: number, policy: EventsRetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.round(Math.max(0, Math.min(1, random())) * ceiling);
}

function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = /\bGMT$/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

interface RawPage {
  readonly data: readonly unknown[];
  readonly nextCursor: string | null;
}

function parsePage(body: unknown): RawPage | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { data, pagination } = body as { data?: unknown; pagination?: unknown };
  if (!Array.isArray(data)) return undefined;
  const next =
    typeof pagination === "object" && pagination !== null
      ? (pagination as { next_cursor?: unknown }).next_cursor
      : undefined;
  if (next !== undefined && next !== null && typeof next !== "string") return undefined;
  return { data, nextCursor: typeof next === "string" && next !== "" ? next : null };
}

function describeStatus(status: number): string {
  if (status === 401 || status === 403) {
    return `HTTP ${status}: lemon.markets rejected the API key; set a valid one (pulumi config set --secret lemonmarkets:apiKey <key>) and redeploy`;
  }
  return `HTTP ${status}`;
}

/** The pager's stop at the deadline; `attempts` > 0 means the current page's requests had failed. */
function deadlineStop(attempts: number): EventsApiError {
  const detail =
    attempts === 0
      ? "stopped at the run's deadline"
      : "no time left before the run's deadline for another retry";
  return new EventsApiError("deadline", undefined, attempts, detail);
}

/**
 * Creates the pager. Nothing is sent until `pages()` is iterated.
 *
 * @throws ApiKeyFormatError when the key cannot be sent as a header (checked here, once: fetch would reject
 *   it with a message quoting the header value, i.e. the key).
 * @example
 * const api = createEventsApi({ baseUrl, apiKey, privacyPrincipal, privacyJustification });
 * for await (const page of api.pages({ since: "2026-01-01T00:00:00Z" })) console.log(page.length);
 */
export function createEventsApi(options: EventsApiOptions): EventsApi {
  const policy = options.retry ?? DEFAULT_EVENTS_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  if (!API_KEY_PATTERN.test(options.apiKey)) throw new ApiKeyFormatError();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = {
    Authorization: `Bearer ${options.apiKey}`,
    "LMG-Data-Privacy-Access-Principal": options.privacyPrincipal,
    "LMG-Data-Privacy-Access-Justification": options.privacyJustification,
    Accept: "application/json",
    "User-Agent": "lemon-webhooks-reconciler",
  };

  /** Time left before `deadlineMs`, or the pager's stop when even a request would not fit. */
  function timeLeft(deadlineMs: number | undefined, attempts: number): number {
    const left = deadlineMs === undefined ? Number.POSITIVE_INFINITY : deadlineMs - now();
    if (left < MIN_REQUEST_MS) throw deadlineStop(attempts);
    return left;
  }

  async function wait(ms: number, deadlineMs: number | undefined, attempts: number): Promise<void> {
    // The wait and the request after it must both end by the deadline.
    if (timeLeft(deadlineMs, attempts) < ms + MIN_REQUEST_MS) throw deadlineStop(attempts);
    await sleep(ms);
  }

  async function getPage(url: string, deadlineMs: number | undefined): Promise<RawPage> {
    for (let attempt = 1; ; attempt += 1) {
      const left = timeLeft(deadlineMs, attempt - 1);
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: AbortSignal.timeout(Math.min(timeoutMs, left)) });
      } catch (error) {
        // fetch rejects with a DOMException "TimeoutError" when AbortSignal.timeout fires. The error itself
        // is dropped, not kept as `cause`: undici's messages may quote header values.
        const name = typeof error === "object" && error !== null && "name" in error ? error.name : undefined;
        const kind = name === "TimeoutError" ? "timeout" : "network";
        if (attempt > policy.retries) throw new EventsApiError(kind, undefined, attempt, kind);
        await wait(delayMs(attempt - 1, policy, random), deadlineMs, attempt);
        continue;
      }
      if (response.ok) {
        const page = parsePage(await response.json().catch(() => undefined));
        if (page === undefined) {
          throw new EventsApiError(
            "shape",
            response.status,
            attempt,
            "the body is not a page {data, pagination}",
          );
        }
        return page;
      }
      await response.body?.cancel();
      if (!RETRYABLE(response.status) || attempt > policy.retries) {
        throw new EventsApiError("http", response.status, attempt, describeStatus(response.status));
      }
      const asked = retryAfterMs(response.headers.get("retry-after"), now());
      await wait(
        asked === undefined ? delayMs(attempt - 1, policy, random) : Math.min(asked, policy.maxRetryAfterMs),
        deadlineMs,
        attempt,
      );
    }
  }

  return {
    async *pages(query, limits = {}) {
      const first = new URLSearchParams({ since: query.since, sort: "asc", limit: String(EVENTS_PAGE_SIZE) });
      if (query.type !== undefined) first.set("type", query.type);
      let url = `${options.baseUrl}/events?${first}`;
      const cursors = new Set<string>();
      for (;;) {
        const page = await getPage(url, limits.deadlineMs);
        yield page.data;
        if (page.nextCursor === null) return;
        // A cursor seen before would page forever; stop with an error instead of spinning until the timeout.
        if (cursors.has(page.nextCursor))
          throw new EventsApiError("shape", 200, 1, "the API repeated a cursor");
        cursors.add(page.nextCursor);
        const next = new URLSearchParams({ cursor: page.nextCursor, limit: String(EVENTS_PAGE_SIZE) });
        url = `${options.baseUrl}/events?${next}`;
      }
    },
  };
}
