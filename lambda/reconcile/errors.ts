/** Errors of the reconciler. Messages name the request and the status, never the API key. */

/** How a `GET /v1/events` request failed. */
export type EventsApiFailure = "http" | "network" | "timeout" | "shape";

/**
 * `GET /v1/events` failed (after retries, for the retryable kinds). The run ends without moving the
 * watermark, so the next run reads the same window again.
 */
export class EventsApiError extends Error {
  override readonly name = "EventsApiError";
  constructor(
    readonly kind: EventsApiFailure,
    readonly status: number | undefined,
    readonly attempts: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`GET /v1/events failed after ${attempts} attempt(s): ${detail}`, options);
  }
}
