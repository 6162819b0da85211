/**
 * The one dedupe-and-forward path: claim the event id → forward → mark done, or give the claim back when
 * forwarding failed. Both the webhook receiver (`receive.ts`) and the reconciler (`reconcile/`) call it, so an
 * event is forwarded once whether it arrived by webhook, by reconciliation, or by both at the same time.
 */
import { type Deadline, ensureTimeLeft, NO_DEADLINE } from "./deadline";
import { DeliveryInFlightError } from "./errors";
import type { Clock, DedupeStore, EventSink, ForwardableEvent } from "./ports";

/** The ports the path needs. */
export interface ForwardPorts {
  readonly dedupe: DedupeStore;
  readonly sink: EventSink;
  readonly clock: Clock;
  /**
   * The caller's time budget (the receiver's invocation deadline): the claim and the forward are cut off at
   * it, the bookkeeping writes at `deadline.cleanup`. Default: no limit.
   */
  readonly deadline?: Deadline;
}

/** `forwarded`: this call put the event on the bus; `duplicate`: it had been forwarded before. */
export type ForwardOutcome = "forwarded" | "duplicate";

/** A bookkeeping write failed after the outcome was settled; worth a log field, not a failure. */
export type ForwardNote = "release_failed" | "complete_failed";

/** Tries of a bookkeeping write (release, done mark) before it counts as failed. */
export const BOOKKEEPING_ATTEMPTS = 4;
/** Wait before the first retry of a bookkeeping write; doubles per retry (25 + 50 + 100 ms at most). */
export const BOOKKEEPING_BACKOFF_MS = 25;

/**
 * Runs an idempotent bookkeeping write, retrying a few times within this invocation. Why here, when nothing
 * else retries (lemon.markets does): its retry cannot repair these two. After a failed done mark the sender
 * already has its 200, and a duplicate still in flight is forwarded a second time once the lease expires;
 * after a failed release every retry meets the stale claim (409) until the lease expires (60 s by default).
 * One throttled write must not cost that. Both writes are conditional on our token, so repeating is safe.
 */
async function persist(write: () => Promise<void>, deadline: Deadline): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      const backoffMs = BOOKKEEPING_BACKOFF_MS * 2 ** (attempt - 1);
      // No retry that could not even start before the deadline: the answer must not wait for it.
      if (attempt >= BOOKKEEPING_ATTEMPTS || deadline.remainingMs() <= backoffMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}

/**
 * Forwards `event` unless its id was forwarded before.
 *
 * @throws DeliveryInFlightError when another invocation holds the claim and may still fail.
 * @throws whatever the sink threw (after the claim was released, so a retry can claim it again).
 * @example
 * const outcome = await forwardOnce({ dedupe, sink, clock }, event, (note) => log.warn({ note }));
 */
export async function forwardOnce(
  ports: ForwardPorts,
  event: ForwardableEvent,
  onNote: (note: ForwardNote) => void = () => undefined,
): Promise<ForwardOutcome> {
  const { dedupe, sink, clock } = ports;
  const deadline = ports.deadline ?? NO_DEADLINE;
  const cleanup = deadline.cleanup;
  ensureTimeLeft(deadline, "dynamodb");
  const claim = await dedupe.claim(event.id, clock.now(), deadline);
  if (claim.outcome === "done") return "duplicate";
  if (claim.outcome === "in-flight") throw new DeliveryInFlightError(event.id, claim.retryAfterSeconds);
  try {
    // Inside the try: a budget spent by the claim still gives the claim back.
    ensureTimeLeft(deadline, "eventbridge");
    await sink.forward(event, deadline);
  } catch (error) {
    // Give the claim back so the next attempt (lemon.markets' retry or the next reconciliation) can forward
    // it. If even that fails, the claim's lease expires and the next attempt takes it over: delayed, never lost.
    await persist(() => dedupe.release(event.id, claim.token, cleanup), cleanup).catch(() =>
      onNote("release_failed"),
    );
    throw error;
  }
  // Forwarded: a failed "done" mark only means a later duplicate may be forwarded again after the lease
  // (at-least-once downstream), so the outcome stays "forwarded".
  await persist(() => dedupe.complete(event.id, claim.token, cleanup), cleanup).catch(() =>
    onNote("complete_failed"),
  );
  return "forwarded";
}
