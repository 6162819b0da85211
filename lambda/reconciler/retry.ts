/**
 * Retries of the reconciler's DynamoDB calls. The receiver never retries (lemon.markets does, and its
 * 10-second budget is better spent answering), but a reconciliation run has minutes: one throttled
 * `BatchGetItem` or one `PutItem` 5xx must not end the whole run and hold the watermark for an interval. Only
 * transient failures are retried (`isTransientAwsFailure` in lambda/aws/failures.ts: every 5xx, throttling,
 * network, timeouts), a few times with exponential backoff, never sleeping past the run's deadline. Every
 * call wrapped here is safe to repeat: the store is conditional (a write that landed but whose answer was
 * lost meets its own item on the retry: "already stored"), the others read or move the watermark forward.
 */
import { isTransientAwsFailure } from "../aws/failures";
import type { StoredLookup } from "../aws/stored-lookup";
import type { EventStore } from "../core/ports";
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
 * const states = await withAwsRetry(() => lookup.states(ids), { sleep, now: Date.now, deadlineMs });
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
  readonly store: EventStore;
  readonly watermarks: WatermarkStore;
  readonly lookup: StoredLookup | undefined;
}

/**
 * Wraps the ports.
 *
 * @example
 * const ports = retryingPorts(deps, { sleep, now: () => clock.now(), deadlineMs });
 */
export function retryingPorts(
  ports: {
    readonly store: EventStore;
    readonly watermarks: WatermarkStore;
    readonly lookup?: StoredLookup;
  },
  timing: RetryTiming,
): RetryingPorts {
  const { store, watermarks, lookup } = ports;
  return {
    store: {
      store: (event, nowMs, deadline) => withAwsRetry(() => store.store(event, nowMs, deadline), timing),
    },
    watermarks: {
      read: () => withAwsRetry(() => watermarks.read(), timing),
      advance: (ms, nowMs) => withAwsRetry(() => watermarks.advance(ms, nowMs), timing),
    },
    lookup:
      lookup === undefined ? undefined : { states: (ids) => withAwsRetry(() => lookup.states(ids), timing) },
  };
}
