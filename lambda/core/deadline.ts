/**
 * The per-invocation time budget. Lambda kills an invocation at its timeout and API Gateway then answers 500,
 * which lemon.markets cannot tell from a bug. So the receiver stops starting work a safety margin before the
 * platform's deadline and answers 503 in time, so lemon.markets retries (a store cut off that landed anyway
 * is found by the retry's condition: nothing needs giving back).
 */
import { type Dependency, DependencyUnavailableError } from "./errors";
import type { Clock } from "./ports";

/**
 * Kept back from the platform's deadline. Why 500 ms: writing the log line and returning the response with
 * room for a slow container; and the smallest Lambda timeout the component allows (1 s) still leaves half a
 * second for the work itself.
 */
export const DEADLINE_SAFETY_MARGIN_MS = 500;

/** The last part of the margin, never spent on cleanup: it is for logging and returning the response. */
export const RESPONSE_RESERVE_MS = 100;

/**
 * The budget when the platform does not say (no Lambda context: the local sandbox, tests). 8 s: the
 * component's default Lambda timeout, and inside lemon.markets' 10 s acknowledgement window.
 */
export const DEFAULT_INVOCATION_BUDGET_MS = 8_000;

/** Until when work may go on; every AWS call is bounded by it. */
export interface Deadline {
  /** Milliseconds left before work must stop; zero or less once passed, `Infinity` without a limit. */
  remainingMs(): number;
  /**
   * The later deadline for best-effort cleanup once work stopped or its outcome is settled: the safety margin
   * minus {@link RESPONSE_RESERVE_MS}. The receiver's one write needs none; kept for callers that do.
   */
  readonly cleanup: Deadline;
}

/** No limit: for callers with no deadline of their own (the reconciler, tools). */
export const NO_DEADLINE: Deadline = {
  remainingMs: () => Number.POSITIVE_INFINITY,
  get cleanup() {
    return NO_DEADLINE;
  },
};

function at(clock: Clock, atMs: number, cleanup: Deadline): Deadline {
  return { remainingMs: () => atMs - clock.now(), cleanup };
}

/**
 * The deadline of an invocation that has `remainingMs` left now (by `clock`): work stops
 * {@link DEADLINE_SAFETY_MARGIN_MS} before the end, cleanup {@link RESPONSE_RESERVE_MS} before it.
 *
 * @example
 * const deadline = invocationDeadline(clock, context.getRemainingTimeInMillis()); // 8000 → work for 7500 ms
 */
export function invocationDeadline(clock: Clock, remainingMs: number): Deadline {
  const endMs = clock.now() + remainingMs;
  const cleanupEndMs = endMs - RESPONSE_RESERVE_MS;
  const cleanup: Deadline = {
    remainingMs: () => cleanupEndMs - clock.now(),
    get cleanup() {
      return cleanup;
    },
  };
  return at(clock, endMs - DEADLINE_SAFETY_MARGIN_MS, cleanup);
}

/**
 * Throws the 503 error for `dependency` when the deadline has passed: the call about to be made would be
 * cut off (or killed with the invocation) anyway.
 */
export function ensureTimeLeft(deadline: Deadline, dependency: Dependency): void {
  if (deadline.remainingMs() <= 0) throw new DependencyUnavailableError(dependency, "deadline");
}

/**
 * `promise`, or a `deadline` 503 for `dependency` if the deadline passes first. For work this invocation
 * waits on but did not start (a secret fetch shared with a concurrent request, which has its own deadline).
 */
export function withinDeadline<T>(
  promise: Promise<T>,
  deadline: Deadline,
  dependency: Dependency,
): Promise<T> {
  const remaining = deadline.remainingMs();
  if (remaining === Number.POSITIVE_INFINITY) return promise;
  if (remaining <= 0) {
    // Not awaited from here on: its failure is someone else's to report, never an unhandled rejection.
    promise.catch(() => undefined);
    return Promise.reject(new DependencyUnavailableError(dependency, "deadline"));
  }
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailableError(dependency, "deadline")), remaining);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
