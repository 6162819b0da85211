/**
 * The forwarder core: a batch of stream records (INSERTs of stored events) → `PutEvents` → mark each
 * accepted event `forwardedAtMs` → report exactly the records not accepted. All I/O behind injected ports.
 *
 * Per batch:
 * 1. each record's `NewImage` is read as a stored event; a record that is not one is reported failed (it
 *    then lands in the failure queue after the retries, where an operator sees it) and never forwarded;
 * 2. events already marked forwarded are skipped: Lambda retries a partial failure from the lowest failed
 *    sequence number, so the records after it come again although they were forwarded (one consistent
 *    `BatchGetItem`; if it fails, nothing is skipped: at-least-once, never lost);
 * 3. the rest go out with `PutEvents` (≤ 10 entries, ≤ 256 KB per call), every entry's result checked;
 * 4. every accepted event is marked (conditional `UpdateItem`): a failed mark is logged and counted, not
 *    reported, since the event is on the bus; only a later retry of that record could forward it again;
 * 5. the records not accepted are returned as `batchItemFailures` (their `SequenceNumber`s).
 */
import type { StoredLookup, StoredState } from "../aws/stored-lookup";
import type { Clock, EventPublisher, Logger } from "../core/ports";
import { parseStoredEvent, type StoredEvent } from "../../contract/events-table";
import type { ForwarderMetrics } from "./metrics";
import type { DynamoDbStreamEvent, StreamBatchResponse } from "./stream";

/** Writes the forwarded mark; resolves false when the item no longer exists, throws when the write failed. */
export type MarkForwarded = (eventId: string, nowMs: number) => Promise<boolean>;

/** Everything the core needs. */
export interface ForwarderDeps {
  readonly publisher: EventPublisher;
  readonly markForwarded: MarkForwarded;
  /** Optional pre-check for already forwarded events (step 2); without it nothing is skipped. */
  readonly lookup?: StoredLookup;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ForwarderMetrics;
}

/** Forwards one batch; never throws (a failure is a reported record). */
export type ForwardBatch = (event: DynamoDbStreamEvent) => Promise<StreamBatchResponse>;

interface Item {
  readonly sequenceNumber: string;
  readonly event: StoredEvent | undefined;
}

/**
 * Builds the core from its ports.
 *
 * @example
 * const forward = createForwarder({ publisher, markForwarded, lookup, clock, logger, metrics });
 * const { batchItemFailures } = await forward(streamEvent);
 */
export function createForwarder(deps: ForwarderDeps): ForwardBatch {
  const { publisher, markForwarded, lookup, clock, logger, metrics } = deps;

  async function forwardedAlready(events: readonly StoredEvent[]): Promise<ReadonlyMap<string, StoredState>> {
    if (lookup === undefined || events.length === 0) return new Map();
    try {
      return await lookup.states(events.map((event) => event.id));
    } catch (error) {
      logger.warn({ msg: "forward_lookup_failed", errorName: error instanceof Error ? error.name : "Error" });
      return new Map();
    }
  }

  async function mark(event: StoredEvent): Promise<boolean> {
    try {
      if (await markForwarded(event.id, clock.now())) return true;
      logger.warn({
        msg: "forward_mark_missing",
        eventId: event.id,
        why: "the item expired before the mark",
      });
      return false;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      logger.warn({
        msg: "forward_mark_failed",
        eventId: event.id,
        errorCode: typeof code === "string" ? code : undefined,
      });
      return false;
    }
  }

  return async ({ Records }) => {
    const items: Item[] = Records.map((record, index) => ({
      sequenceNumber: record.dynamodb?.SequenceNumber ?? `unknown-${index}`,
      event: record.eventName === "INSERT" ? parseStoredEvent(record.dynamodb?.NewImage) : undefined,
    }));
    const failures: string[] = [];
    let forwarded = 0;
    let markFailed = 0;
    const events = items.flatMap((item) => (item.event === undefined ? [] : [item.event]));
    const nowMs = clock.now();
    const oldest = events.reduce<number | undefined>(
      (min, event) => (min === undefined ? event.receivedAtMs : Math.min(min, event.receivedAtMs)),
      undefined,
    );
    const states = await forwardedAlready(events);
    const pending: Item[] = [];
    let alreadyForwarded = 0;
    for (const item of items) {
      if (item.event === undefined) {
        logger.error({ msg: "forward_unreadable_record", sequenceNumber: item.sequenceNumber });
        continue;
      }
      if (states.get(item.event.id)?.forwarded === true) alreadyForwarded += 1;
      else pending.push(item);
    }
    const accepted = pending.length === 0 ? [] : await publisher.publish(pending.map((item) => item.event!));
    const marks: Promise<boolean>[] = [];
    pending.forEach((item, index) => {
      const event = item.event!;
      if (accepted[index] === true) {
        forwarded += 1;
        marks.push(mark(event));
        logger.info({
          msg: "forwarded",
          eventId: event.id,
          eventType: event.type,
          via: event.via,
          waitedMs: nowMs - event.receivedAtMs,
        });
      } else {
        logger.warn({ msg: "forward_failed", eventId: event.id, eventType: event.type });
      }
    });
    for (const ok of await Promise.all(marks)) if (!ok) markFailed += 1;
    // Exactly the records not accepted, in stream order.
    const acceptedIds = new Set(
      pending.filter((_, index) => accepted[index] === true).map((item) => item.event!.id),
    );
    for (const item of items) {
      const done =
        item.event !== undefined &&
        (acceptedIds.has(item.event.id) || states.get(item.event.id)?.forwarded === true);
      if (!done) failures.push(item.sequenceNumber);
    }
    metrics.record({
      forwarded,
      forwardFailed: failures.length,
      alreadyForwarded,
      markFailed,
      ...(oldest === undefined ? {} : { oldestRecordAgeMs: Math.max(0, nowMs - oldest) }),
    });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
