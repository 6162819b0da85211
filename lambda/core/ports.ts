/**
 * The small interfaces the receive core depends on. AWS adapters (`aws/`) and tests implement them; the core
 * never knows which it got, so the local sandbox runs exactly the production core.
 *
 * Every I/O method takes an optional {@link Deadline} (the invocation's time budget): an implementation must
 * not start work once it has passed and should cut its calls off at it (the AWS adapters do).
 */

import type { NewStoredEvent, StoredEvent } from "../../contract/events-table";
import type { MetricName, RejectReason } from "../../contract/metrics";
import type { Deadline } from "./deadline";
import type { Dependency } from "./errors";

/** One version of the signature secret with the moment Secrets Manager created it. */
export interface SecretVersion {
  readonly value: string;
  readonly createdAt: Date;
}

/** Reads the signature secret's versions (Secrets Manager staging labels AWSCURRENT / AWSPREVIOUS). */
export interface SecretSource {
  /** The AWSCURRENT version. Throws `DependencyUnavailableError` when the store cannot be read. */
  current(deadline?: Deadline): Promise<SecretVersion>;
  /** The AWSPREVIOUS version, or `undefined` when there is none (the secret was never rotated). */
  previous(deadline?: Deadline): Promise<SecretVersion | undefined>;
}

/** `stored`: this call's conditional write stored the event; `duplicate`: it was stored before. */
export type StoreOutcome = "stored" | "duplicate";

/**
 * Stores verified events (one conditional DynamoDB `PutItem` in production). The table's stream hands every
 * newly stored event to the forwarder, so storing is all the receiver and the reconciler do.
 */
export interface EventStore {
  /**
   * Stores `event` at `nowMs` (epoch ms) unless its id is already stored: exactly one write. Throws
   * `DependencyUnavailableError` when the outcome is unknown (timeout, reset, 5xx, deadline): the write may
   * have landed, and repeating it is safe (the condition resolves it).
   */
  store(event: NewStoredEvent, nowMs: number, deadline?: Deadline): Promise<StoreOutcome>;
}

/** Puts stored events on the bus (EventBridge `PutEvents` in production). */
export interface EventPublisher {
  /**
   * Publishes `events` (any number: split into calls of at most 10 entries and 256 KB) and resolves, for
   * each event in order, whether EventBridge accepted it. Never throws for a failed call: its entries are
   * simply not accepted.
   */
  publish(events: readonly StoredEvent[]): Promise<readonly boolean[]>;
}

/** Wall clock in epoch milliseconds; injected so tests control cache ages, TTLs and rotation grace. */
export interface Clock {
  now(): number;
}

/** A structured log record: flat JSON-serialisable fields. Never secrets, signatures or headers. */
export type LogRecord = Readonly<Record<string, string | number | boolean | undefined>>;

/** Writes one structured line per call. */
export interface Logger {
  info(record: LogRecord): void;
  warn(record: LogRecord): void;
  error(record: LogRecord): void;
}

/** Counters for one request, flushed as one EMF line. */
export interface Metrics {
  /**
   * Records the counters of one request; `reason` is set only with `Rejected`, `dependency` only with a
   * `Failed` caused by an unavailable dependency.
   */
  record(counts: ReadonlyArray<MetricName>, reason?: RejectReason, dependency?: Dependency): void;
  /**
   * `SchemeProbeMatched` under `Service`+`Preset`: a rejected delivery verified under another preset
   * (`signature-probe.ts`). Optional so a sink without it simply does not count probes.
   */
  probeMatched?(preset: string): void;
}
