/**
 * The one error type of the lemon.markets client. It carries what a caller branches on (status, kind,
 * whether the request may have taken effect) and never anything secret: it is built from plain values only,
 * never from an axios error, whose `config.headers` hold the API key.
 */
import { STATUS_CODES } from "node:http";

/** The API operation that failed (the OpenAPI `operationId`). */
export type LemonOperation = "create_webhook" | "list_webhooks" | "delete_webhook" | "list_events";

/**
 * How the operation failed: `http` — lemon.markets answered with an error status (or an unusable body);
 * `network` — no answer (refused, reset, DNS); `timeout` — no answer within `timeoutMs`.
 */
export type LemonErrorKind = "http" | "network" | "timeout";

/** Everything a {@link LemonApiError} is made of; all plain, non-secret values. */
export interface LemonApiErrorDetails {
  readonly operation: LemonOperation;
  readonly kind: LemonErrorKind;
  /** HTTP status of the last answer (`kind: "http"` only). */
  readonly status?: number;
  /** lemon.markets' `{"message": …}` of the last answer, if it sent one. */
  readonly apiMessage?: string;
  /** Node's error code of a `network`/`timeout` failure, e.g. `ECONNRESET`. */
  readonly code?: string;
  /** What went wrong when it is not an API message, e.g. `socket hang up` or `body is not JSON`. */
  readonly detail?: string;
  /** The failure is transient: the same request later may succeed. */
  readonly retryable: boolean;
  /** The request may have taken effect although no success answer arrived. */
  readonly mayHaveCommitted: boolean;
  /** Requests sent, including the failed last one. */
  readonly attempts: number;
  /** The timeout in force, to say how long was waited (`kind: "timeout"` only). */
  readonly timeoutMs?: number;
}

/**
 * A failed lemon.markets API call.
 *
 * `createWebhook` is never retried; when it fails with `mayHaveCommitted: true` the webhook may exist, so list
 * webhooks and adopt a matching one instead of creating again. A 404 of `deleteWebhook` means the webhook is
 * gone (or never belonged to this key), which callers deleting it usually accept.
 *
 * @example
 * try {
 *   await client.deleteWebhook(id);
 * } catch (error) {
 *   if (!(error instanceof LemonApiError && error.status === 404)) throw error;
 * }
 */
export class LemonApiError extends Error {
  override readonly name = "LemonApiError";
  readonly operation: LemonOperation;
  readonly kind: LemonErrorKind;
  // `declare` so that absent fields are absent (not `undefined` own properties) when the error is printed.
  declare readonly status?: number;
  declare readonly apiMessage?: string;
  declare readonly code?: string;
  readonly retryable: boolean;
  readonly mayHaveCommitted: boolean;
  readonly attempts: number;

  constructor(details: LemonApiErrorDetails) {
    super(describe(details));
    this.operation = details.operation;
    this.kind = details.kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.apiMessage !== undefined) this.apiMessage = details.apiMessage;
    if (details.code !== undefined) this.code = details.code;
    this.retryable = details.retryable;
    this.mayHaveCommitted = details.mayHaveCommitted;
    this.attempts = details.attempts;
  }
}

function describe(details: LemonApiErrorDetails): string {
  const parts = [`lemon.markets ${details.operation} failed: ${what(details)}`];
  if (details.attempts > 1) parts.push(`(after ${details.attempts} attempts)`);
  const hint = hintFor(details);
  if (hint !== undefined) parts.push(`— ${hint}`);
  return parts.join(" ");
}

function what(details: LemonApiErrorDetails): string {
  if (details.kind === "timeout") {
    const waited = details.timeoutMs === undefined ? "" : ` within ${details.timeoutMs} ms`;
    return `no response${waited}`;
  }
  if (details.kind === "network") {
    const detail = details.detail === undefined ? "" : ` (${details.detail})`;
    return `network error ${details.code ?? "unknown"}${detail}`;
  }
  const status = details.status ?? 0;
  const reason = STATUS_CODES[status];
  const head = reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
  const tail = details.apiMessage ?? details.detail;
  return tail === undefined ? head : `${head}: ${tail}`;
}

function hintFor(details: LemonApiErrorDetails): string | undefined {
  if (details.mayHaveCommitted && details.operation === "create_webhook") {
    return "the webhook may have been created anyway: list webhooks and adopt the one with this url and events before creating again";
  }
  if (details.kind !== "http") return "check network access to the lemon.markets baseUrl";
  const status = details.status ?? 0;
  if (status === 401)
    return "check lemonmarkets:apiKey — sandbox and production keys are not interchangeable";
  if (status === 403)
    return "the API key is not allowed to do this; ask lemon.markets to enable it for your partner";
  if (status === 404 && details.operation === "delete_webhook") {
    return "the webhook does not exist (already deleted?) or belongs to another partner";
  }
  if (status === 404) return "check baseUrl: it must end in /v1, e.g. https://sandbox.api.lemon.markets/v1";
  if (status === 422 && details.operation === "create_webhook") {
    return "lemon.markets rejected the url or events: use an absolute https url and published event types";
  }
  if (status === 400 || status === 422)
    return "lemon.markets rejected the request parameters; see the message";
  if (status === 429) return "lemon.markets is rate limiting this key; try again later";
  if (status >= 500 && details.operation === "create_webhook") {
    return "lemon.markets is failing; create_webhook is never retried automatically, run the update again later";
  }
  if (status >= 500) return "lemon.markets is failing; try again later";
  if (status >= 300 && status < 400) return "unexpected redirect: check baseUrl";
  return undefined;
}
