/**
 * The lemon.markets Events + Webhooks API client used by the webhook registration provider.
 *
 * Only idempotent requests are retried (list, delete, events). `createWebhook` is sent exactly once: a
 * retried POST could register a second webhook, and every webhook gets every delivery. When its outcome is
 * unknown the error says so (`mayHaveCommitted`), and the caller lists webhooks to adopt the one it made.
 *
 * This module is `require`d inside the Pulumi dynamic provider, whose code is serialised: it has no
 * top-level side effects and keeps all state (the API key included) inside the client object's closures.
 */
import http from "node:http";
import https from "node:https";
import { backoffDelayMs, parseRetryAfterMs } from "../../contract/backoff";
import { LemonApiError, type LemonApiErrorDetails, type LemonOperation } from "./errors";
import {
  checkCreateWebhookInput,
  checkPageSize,
  eventsQueryParams,
  MAX_PAGE_SIZE,
  webhookIdSegment,
} from "./inputs";
import { type LemonClientOptions, type ResolvedClientOptions, resolveClientOptions } from "./options";
import { parseApiMessage, parseEvent, parsePage, parseWebhook, ShapeError } from "./parse";
import {
  exchange,
  type HttpAnswer,
  type HttpOutcome,
  type HttpRequest,
  scrub,
  type TransportSettings,
} from "./transport";
import type {
  CreateWebhookInput,
  EventsPage,
  LemonEvent,
  ListEventsQuery,
  ListWebhooksOptions,
  Webhook,
} from "./types";

/** Operations of the lemon.markets API that lemon-webhooks uses. */
export interface LemonClient {
  /** `POST /v1/webhooks`, sent exactly once (never retried). Resolves to the webhook with its secret. */
  createWebhook(input: CreateWebhookInput): Promise<Webhook>;
  /** `GET /v1/webhooks`, following `pagination.next_cursor` through every page. Retried. */
  listWebhooks(options?: ListWebhooksOptions): Promise<Webhook[]>;
  /** `DELETE /v1/webhooks/{id}`. Retried; a 404 rejects with `LemonApiError` status 404. */
  deleteWebhook(id: string): Promise<void>;
  /** One page of `GET /v1/events`. Retried. */
  listEvents(query?: ListEventsQuery): Promise<EventsPage>;
  /** Every event matching `query`, page after page. Each page request is retried. */
  iterateEvents(query?: ListEventsQuery): AsyncIterable<LemonEvent>;
}

/** Statuses after which the server may have carried the request out (unlike e.g. 503 "not now"). */
const AMBIGUOUS_STATUSES = new Set([500, 502, 504]);
const MAX_API_MESSAGE_LENGTH = 500;

interface CallSpec {
  readonly operation: LemonOperation;
  readonly request: HttpRequest;
  /** Safe to send again (GET, DELETE). */
  readonly idempotent: boolean;
  /** Changes state on the server, so an unknown outcome matters (POST, DELETE). */
  readonly mutating: boolean;
}

interface Success {
  readonly answer: HttpAnswer;
  readonly attempts: number;
}

/**
 * Creates a client. Validates `options` (throws TypeError/RangeError naming the bad option) but sends
 * nothing until an operation is called.
 *
 * @example
 * const lemon = createLemonClient({ apiKey, baseUrl: PRODUCTION_BASE_URL });
 * const hook = await lemon.createWebhook({ url: "https://abc.execute-api.eu-central-1.amazonaws.com/lemon", events: ["account.created"] });
 */
export function createLemonClient(options: LemonClientOptions): LemonClient {
  const settings = resolveClientOptions(options);
  const transport: TransportSettings = {
    headers: {
      Authorization: `Bearer ${settings.apiKey}`,
      "LMG-Data-Privacy-Access-Principal": settings.privacyPrincipal,
      "LMG-Data-Privacy-Access-Justification": settings.privacyJustification,
      Accept: "application/json",
      "User-Agent": settings.userAgent,
    },
    timeoutMs: settings.timeoutMs,
    // No keep-alive: a pooled socket the server has just closed fails a POST that was never processed, and
    // create is not retried. A Pulumi run makes a handful of calls, so fresh connections cost nothing.
    httpAgent: new http.Agent({ keepAlive: false }),
    httpsAgent: new https.Agent({ keepAlive: false }),
    redact: [settings.apiKey],
  };
  const call = (spec: CallSpec): Promise<Success> => callWithRetry(settings, transport, spec);
  const url = (path: string, params?: URLSearchParams): string => {
    const query = params === undefined || params.size === 0 ? "" : `?${params}`;
    return `${settings.baseUrl}${path}${query}`;
  };

  const listEvents = async (query: ListEventsQuery = {}): Promise<EventsPage> => {
    const request: HttpRequest = { method: "GET", url: url("/events", eventsQueryParams(query)) };
    const { answer, attempts } = await call({
      operation: "list_events",
      request,
      idempotent: true,
      mutating: false,
    });
    const page = readBody("list_events", answer, attempts, false, (body) => parsePage(body, parseEvent));
    return { data: page.data, nextCursor: page.pagination.next_cursor ?? null };
  };

  return Object.freeze({
    async createWebhook(input: CreateWebhookInput): Promise<Webhook> {
      const body = checkCreateWebhookInput(input);
      const request: HttpRequest = { method: "POST", url: url("/webhooks"), body };
      const spec: CallSpec = { operation: "create_webhook", request, idempotent: false, mutating: true };
      const { answer, attempts } = await call(spec);
      // A 2xx means the webhook exists: an unreadable body must still tell the caller to adopt it.
      return readBody("create_webhook", answer, attempts, true, (value) => parseWebhook(value));
    },

    async listWebhooks(listOptions: ListWebhooksOptions = {}): Promise<Webhook[]> {
      const limit = checkPageSize("pageSize", listOptions.pageSize) ?? MAX_PAGE_SIZE;
      const webhooks: Webhook[] = [];
      const cursors = new PageCursors("list_webhooks");
      let cursor: string | null = null;
      do {
        const params = new URLSearchParams({ limit: String(limit) });
        if (cursor !== null) params.set("cursor", cursor);
        const request: HttpRequest = { method: "GET", url: url("/webhooks", params) };
        const { answer, attempts } = await call({
          operation: "list_webhooks",
          request,
          idempotent: true,
          mutating: false,
        });
        const page = readBody("list_webhooks", answer, attempts, false, (body) =>
          parsePage(body, parseWebhook),
        );
        webhooks.push(...page.data);
        cursor = cursors.next(page.pagination.next_cursor ?? null);
      } while (cursor !== null);
      return webhooks;
    },

    async deleteWebhook(id: string): Promise<void> {
      const request: HttpRequest = { method: "DELETE", url: url(`/webhooks/${webhookIdSegment(id)}`) };
      await call({ operation: "delete_webhook", request, idempotent: true, mutating: true });
    },

    listEvents,

    async *iterateEvents(query: ListEventsQuery = {}): AsyncGenerator<LemonEvent, void, undefined> {
      const cursors = new PageCursors("list_events");
      let page = await listEvents(query);
      yield* page.data;
      let cursor = cursors.next(page.nextCursor);
      while (cursor !== null) {
        // The cursor carries the filters of the first query; only the page size is repeated.
        page = await listEvents(query.limit === undefined ? { cursor } : { cursor, limit: query.limit });
        yield* page.data;
        cursor = cursors.next(page.nextCursor);
      }
    },
  });
}

/** Remembers cursors so a server that hands out the same cursor again cannot make a listing loop forever. */
class PageCursors {
  private readonly seen = new Set<string>();
  constructor(private readonly operation: LemonOperation) {}

  next(cursor: string | null): string | null {
    if (cursor === null) return null;
    if (this.seen.has(cursor)) {
      throw new LemonApiError({
        operation: this.operation,
        kind: "http",
        status: 200,
        detail: "pagination.next_cursor repeats an earlier cursor, so the listing would never end",
        retryable: false,
        mayHaveCommitted: false,
        attempts: 1,
      });
    }
    this.seen.add(cursor);
    return cursor;
  }
}

async function callWithRetry(
  settings: ResolvedClientOptions,
  transport: TransportSettings,
  spec: CallSpec,
): Promise<Success> {
  let mayHaveCommitted = false;
  for (let attempt = 1; ; attempt++) {
    const outcome = await exchange(transport, spec.request);
    if (outcome.type === "answer" && outcome.status >= 200 && outcome.status < 300) {
      return { answer: outcome, attempts: attempt };
    }
    const failure = describeFailure(spec.operation, outcome, settings);
    mayHaveCommitted ||= spec.mutating && failure.ambiguous;
    if (!spec.idempotent || !failure.details.retryable || attempt > settings.retry.retries) {
      throw new LemonApiError({ ...failure.details, attempts: attempt, mayHaveCommitted });
    }
    await settings.sleep(retryDelayMs(outcome, attempt - 1, settings));
  }
}

interface Failure {
  readonly details: Omit<LemonApiErrorDetails, "attempts" | "mayHaveCommitted">;
  /** The request may have been carried out although it failed. */
  readonly ambiguous: boolean;
}

function describeFailure(
  operation: LemonOperation,
  outcome: HttpOutcome,
  settings: ResolvedClientOptions,
): Failure {
  if (outcome.type !== "answer") {
    return {
      details: {
        operation,
        kind: outcome.type,
        code: outcome.code,
        ...(outcome.detail === "" ? {} : { detail: outcome.detail }),
        retryable: true,
        timeoutMs: settings.timeoutMs,
      },
      ambiguous: outcome.maybeSent,
    };
  }
  const apiMessage = parseApiMessage(outcome.body);
  return {
    details: {
      operation,
      kind: "http",
      status: outcome.status,
      ...(apiMessage === undefined ? {} : { apiMessage: cleanApiMessage(apiMessage, settings.apiKey) }),
      retryable: outcome.status === 429 || outcome.status >= 500,
    },
    ambiguous: AMBIGUOUS_STATUSES.has(outcome.status),
  };
}

function cleanApiMessage(message: string, apiKey: string): string {
  const clean = scrub(message, [apiKey]);
  return clean.length > MAX_API_MESSAGE_LENGTH ? `${clean.slice(0, MAX_API_MESSAGE_LENGTH)}…` : clean;
}

function retryDelayMs(outcome: HttpOutcome, retry: number, settings: ResolvedClientOptions): number {
  if (outcome.type === "answer" && (outcome.status === 429 || outcome.status === 503)) {
    const asked = parseRetryAfterMs(outcome.retryAfter, settings.now());
    if (asked !== undefined) return Math.min(asked, settings.retry.maxRetryAfterMs);
  }
  return backoffDelayMs(retry, settings.retry, settings.random);
}

/** Parses a success body, turning a shape mismatch into a {@link LemonApiError} that names the field. */
function readBody<T>(
  operation: LemonOperation,
  answer: HttpAnswer,
  attempts: number,
  committed: boolean,
  parse: (body: unknown) => T,
): T {
  try {
    if (answer.bodyError !== undefined) throw new ShapeError(answer.bodyError);
    return parse(answer.body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new LemonApiError({
      operation,
      kind: "http",
      status: answer.status,
      detail: `unexpected response: ${error.message}`,
      retryable: false,
      mayHaveCommitted: committed,
      attempts,
    });
  }
}
