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
 */
import { EventsApiError } from "./errors";

/** Largest page the API serves. */
export const EVENTS_PAGE_SIZE = 100;

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

/** Reads events page by page; each page is the raw `data` array (validated per event by the caller). */
export interface EventsApi {
  pages(query: EventsQuery): AsyncIterable<readonly unknown[]>;
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

/**
 * Creates the pager. Nothing is sent until `pages()` is iterated.
 *
 * @example
 * const api = createEventsApi({ baseUrl, apiKey, privacyPrincipal, privacyJustification });
 * for await (const page of api.pages({ since: "2026-01-01T00:00:00Z" })) console.log(page.length);
 */
export function createEventsApi(options: EventsApiOptions): EventsApi {
  const policy = options.retry ?? DEFAULT_EVENTS_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const headers = {
    Authorization: `Bearer ${options.apiKey}`,
    "LMG-Data-Privacy-Access-Principal": options.privacyPrincipal,
    "LMG-Data-Privacy-Access-Justification": options.privacyJustification,
    Accept: "application/json",
    "User-Agent": "lemon-webhooks-reconciler",
  };

  async function getPage(url: string): Promise<RawPage> {
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        // fetch rejects with a DOMException "TimeoutError" when AbortSignal.timeout fires.
        const name = typeof error === "object" && error !== null && "name" in error ? error.name : undefined;
        const kind = name === "TimeoutError" ? "timeout" : "network";
        // The cause is kept for operators but carries no headers; the message names only the kind.
        if (attempt > policy.retries)
          throw new EventsApiError(kind, undefined, attempt, kind, { cause: error });
        await sleep(delayMs(attempt - 1, policy, random));
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
      await sleep(
        asked === undefined ? delayMs(attempt - 1, policy, random) : Math.min(asked, policy.maxRetryAfterMs),
      );
    }
  }

  return {
    async *pages(query) {
      const first = new URLSearchParams({ since: query.since, sort: "asc", limit: String(EVENTS_PAGE_SIZE) });
      if (query.type !== undefined) first.set("type", query.type);
      let url = `${options.baseUrl}/events?${first}`;
      const cursors = new Set<string>();
      for (;;) {
        const page = await getPage(url);
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
