/**
 * The small interfaces the receive core depends on. AWS adapters (`aws/`) and tests implement them; the core
 * never knows which it got, so the local sandbox runs exactly the production core.
 *
 * Every I/O method takes an optional {@link Deadline} (the invocation's time budget): an implementation must
 * not start work once it has passed and should cut its calls off at it (the AWS adapters do).
 */
import type { Deadline } from "./deadline";

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

/** Result of trying to claim an event id for forwarding. */
export type ClaimResult =
  /** This invocation owns the event and must forward it, then `complete` or `release` with `token`. */
  | { readonly outcome: "claimed"; readonly token: string }
  /** The event was forwarded before: answer 200 without forwarding again. */
  | { readonly outcome: "done" }
  /** Another invocation owns the event and may still fail: answer "retry later". */
  | { readonly outcome: "in-flight"; readonly retryAfterSeconds: number };

/** Remembers which event ids were forwarded (DynamoDB conditional writes in production). */
export interface DedupeStore {
  /**
   * Claims `eventId` at `nowMs` (epoch milliseconds); one conditional write when the id is new. If the write
   * is cut off by `deadline` (it may have landed), the store gives it back within `deadline.cleanup`.
   */
  claim(eventId: string, nowMs: number, deadline?: Deadline): Promise<ClaimResult>;
  /** Marks a claimed event as forwarded, so later duplicates are answered 200. */
  complete(eventId: string, token: string, deadline?: Deadline): Promise<void>;
  /** Gives a claim back after forwarding failed, so the sender's retry can claim it again. */
  release(eventId: string, token: string, deadline?: Deadline): Promise<void>;
}

/** An authenticated, validated event ready to forward. */
export interface ForwardableEvent {
  readonly id: string;
  readonly type: string;
  /** `created_at` exactly as received (ISO 8601 with offset). */
  readonly createdAt: string;
  /** The event JSON exactly as lemon.markets sent it (the verified bytes, as UTF-8 text). */
  readonly json: string;
}

/** Where events go (EventBridge `PutEvents` in production). */
export interface EventSink {
  /** Resolves once the event is accepted; throws `DependencyUnavailableError` otherwise. */
  forward(event: ForwardableEvent, deadline?: Deadline): Promise<void>;
}

/** Wall clock in epoch milliseconds; injected so tests control cache ages, leases and rotation grace. */
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

/** Names of the counters the receiver emits (CloudWatch EMF, namespace `LemonWebhooks`). */
export type MetricName = "Received" | "Rejected" | "Duplicates" | "InFlight" | "Forwarded" | "Failed";

/** Why a request was rejected; the `Reason` dimension of the `Rejected` metric. */
export type RejectReason = "method" | "too_large" | "signature" | "envelope";

/** Counters for one request, flushed as one EMF line. */
export interface Metrics {
  /** Records the counters of one request; `reason` is set only with `Rejected`. */
  record(counts: ReadonlyArray<MetricName>, reason?: RejectReason): void;
}
