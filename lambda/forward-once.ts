/**
 * The one dedupe-and-forward path: claim the event id → forward → mark done, or give the claim back when
 * forwarding failed. Both the webhook receiver (`receive.ts`) and the reconciler (`reconcile/`) call it, so an
 * event is forwarded once whether it arrived by webhook, by reconciliation, or by both at the same time.
 */
import { DeliveryInFlightError } from "./errors";
import type { Clock, DedupeStore, EventSink, ForwardableEvent } from "./ports";

/** The ports the path needs. */
export interface ForwardPorts {
  readonly dedupe: DedupeStore;
  readonly sink: EventSink;
  readonly clock: Clock;
}

/** `forwarded`: this call put the event on the bus; `duplicate`: it had been forwarded before. */
export type ForwardOutcome = "forwarded" | "duplicate";

/** A bookkeeping write failed after the outcome was settled; worth a log field, not a failure. */
export type ForwardNote = "release_failed" | "complete_failed";

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
  const claim = await dedupe.claim(event.id, clock.now());
  if (claim.outcome === "done") return "duplicate";
  if (claim.outcome === "in-flight") throw new DeliveryInFlightError(event.id, claim.retryAfterSeconds);
  try {
    await sink.forward(event);
  } catch (error) {
    // Give the claim back so the next attempt (lemon.markets' retry or the next reconciliation) can forward
    // it. If even that fails, the claim's lease expires and the next attempt takes it over: delayed, never lost.
    await dedupe.release(event.id, claim.token).catch(() => onNote("release_failed"));
    throw error;
  }
  // Forwarded: a failed "done" mark only means a later duplicate may be forwarded again after the lease
  // (at-least-once downstream), so the outcome stays "forwarded".
  await dedupe.complete(event.id, claim.token).catch(() => onNote("complete_failed"));
  return "forwarded";
}
