/**
 * Retry timing: exponential backoff with full jitter, and `Retry-After` parsing. The one home of the retry
 * maths: the deploy-time client, the reconciler (API and AWS retries) and the emulator's delivery schedule
 * all use it. Pure and dependency-free, so the schedule can be property-tested without waiting.
 */

/** When and how often the client retries an idempotent request. */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most `retries + 1` requests). */
  readonly retries: number;
  /** Ceiling of the first retry's delay; doubles with every further retry. */
  readonly baseDelayMs: number;
  /** Largest backoff ceiling, however many retries came before. */
  readonly maxDelayMs: number;
  /** Largest wait a `Retry-After` header can impose; longer requests are shortened to this. */
  readonly maxRetryAfterMs: number;
}

/** Defaults: 5 requests at most, waits up to 0.2 s, 0.4 s, 0.8 s, 1.6 s; `Retry-After` honoured up to 30 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30000,
});

/** The ceiling of retry number `retry` (0 = first retry): `min(maxDelayMs, baseDelayMs * 2^retry)`. */
export function backoffCeilingMs(
  retry: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  // The exponent is capped because 2^1024 is Infinity, and 0 * Infinity is NaN when baseDelayMs is 0.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 52));
}

/**
 * Full-jitter delay before retry number `retry`: uniform in `[0, backoffCeilingMs(retry)]`. Jitter spreads
 * the retries of many clients hit by the same outage instead of synchronising them.
 *
 * @param random a source in [0, 1) like `Math.random`; values outside (and NaN) are clamped so an injected
 *   source can't produce a negative, oversized or NaN delay.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const draw = random();
  const unit = draw > 0 ? Math.min(1, draw) : 0;
  return Math.round(unit * backoffCeilingMs(retry, policy));
}

/**
 * Milliseconds a `Retry-After` header asks to wait: delay-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from `nowMs`; a past date means 0). `undefined` when the
 * header is absent or unreadable, in which case the caller falls back to backoff.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only GMT dates: Date.parse also accepts things like "1.5" that are not HTTP-dates (RFC 9110 §5.6.7).
  if (!/\bGMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
