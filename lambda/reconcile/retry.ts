/**
 * Retries of the reconciler's AWS calls (DynamoDB, EventBridge). The receiver never retries (lemon.markets
 * does, and its 10-second budget is better spent answering), but a reconciliation run has minutes: one
 * throttled `BatchGetItem` or one `PutEvents` 5xx must not end the whole run and hold the watermark for an
 * interval. Only transient failures are retried (`isTransientAwsFailure` in lambda/aws/failures.ts: every
 * 5xx, throttling, network, timeouts), a few times with exponential backoff, never sleeping past the run's
 * deadline. The ports wrapped here are idempotent or safe to repeat: a claim that landed but whose answer
 * was lost meets our own claim (in flight, the next run takes it over after the lease), a repeated
 * `PutEvents` is at worst an at-least-once duplicate.
 */
import { isTransientAwsFailure } from "../aws/failures";
import type { DedupeStore, EventSink } from "../ports";
import type { DedupeLookup } from "./dedupe-lookup";
import type { WatermarkStore } from "./watermark";

export { isTransientAwsFailure };

/** Tries per AWS call (the first one included) and the wait before the first retry (doubling per retry). */
export const AWS_RETRY = Object.freeze({ attempts: 4, baseDelayMs: 200 });

/** How retries wait, and until when they may. */
export interface RetryTiming {
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** No retry whose wait would end after this (epoch ms). */
  readonly deadlineMs?: number;
}

/**
 * Runs `call`, retrying transient AWS failures.
 *
 * @example
 * const ids = await withAwsRetry(() => lookup.forwardedIds(ids), { sleep, now: Date.now, deadlineMs });
 */
export async function withAwsRetry<T>(call: () => Promise<T>, timing: RetryTiming): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const waitMs = AWS_RETRY.baseDelayMs * 2 ** (attempt - 1);
      const late = timing.deadlineMs !== undefined && timing.now() + waitMs > timing.deadlineMs;
      if (attempt >= AWS_RETRY.attempts || late || !isTransientAwsFailure(error)) throw error;
      await timing.sleep(waitMs);
    }
  }
}

/** The run's AWS ports with retries. */
export interface RetryingPorts {
  readonly dedupe: DedupeStore;
  readonly sink: EventSink;
  readonly watermarks: WatermarkStore;
  readonly lookup: DedupeLookup | undefined;
}

/**
 * Wraps the ports. `complete` and `release` pass straight through: `forwardOnce` already retries them.
 *
 * @example
 * const ports = retryingPorts(deps, { sleep, now: () => clock.now(), deadlineMs });
 */
export function retryingPorts(
  ports: {
    readonly dedupe: DedupeStore;
    readonly sink: EventSink;
    readonly watermarks: WatermarkStore;
    readonly lookup?: DedupeLookup;
  },
  timing: RetryTiming,
): RetryingPorts {
  const { dedupe, sink, watermarks, lookup } = ports;
  return {
    dedupe: {
      claim: (id, nowMs, deadline) => withAwsRetry(() => dedupe.claim(id, nowMs, deadline), timing),
      complete: (id, token, deadline) => dedupe.complete(id, token, deadline),
      release: (id, token, deadline) => dedupe.release(id, token, deadline),
    },
    sink: { forward: (event, deadline) => withAwsRetry(() => sink.forward(event, deadline), timing) },
    watermarks: {
      read: () => withAwsRetry(() => watermarks.read(), timing),
      advance: (ms, nowMs) => withAwsRetry(() => watermarks.advance(ms, nowMs), timing),
    },
    lookup:
      lookup === undefined
        ? undefined
        : { forwardedIds: (ids) => withAwsRetry(() => lookup.forwardedIds(ids), timing) },
  };
}
