/** Errors of the reconciler. Messages name the request and the status, never the API key. */

/** How a `GET /v1/events` request failed; `deadline`: not started (or cut off) at the run's deadline. */
export type EventsApiFailure = "http" | "network" | "timeout" | "shape" | "deadline";

/**
 * `GET /v1/events` failed (after retries, for the retryable kinds). The run ends without moving the
 * watermark, so the next run reads the same window again. Never carries the underlying fetch error as
 * `cause`: fetch's messages can quote header values (the `Authorization: Bearer <key>` header).
 */
export class EventsApiError extends Error {
  override readonly name = "EventsApiError";
  constructor(
    readonly kind: EventsApiFailure,
    readonly status: number | undefined,
    readonly attempts: number,
    detail: string,
  ) {
    super(`GET /v1/events failed after ${attempts} attempt(s): ${detail}`);
  }
}

/**
 * The stored API key cannot be sent as an HTTP header (spaces, line breaks, non-ASCII: usually a copy-paste
 * accident). Raised before any request; the message never quotes the key.
 */
export class ApiKeyFormatError extends Error {
  override readonly name = "ApiKeyFormatError";
  constructor() {
    super(
      "the lemon.markets API key in the reconciler's secret is not a valid HTTP header value (printable ASCII, no spaces or line breaks); set it again with `pulumi config set --secret lemonmarkets:apiKey <key>` and run `pulumi up`",
    );
  }
}
