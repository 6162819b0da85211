/**
 * Public types of the local lemon.markets emulator: what {@link startEmulator} accepts and returns.
 * Wire shapes (`Webhook`, `LemonEvent`) are the ones of the Events + Webhooks OpenAPI fragment.
 */
import type { PublishedEventType } from "../components/lemon-api/event-types";
import type { SignatureScheme } from "../contract/signature";
import type { SignatureSchemeInput } from "../contract/signature-presets";

/** A registered webhook exactly as `POST /v1/webhooks` returns it (the `Webhook` schema). */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly PublishedEventType[];
  readonly signature_secret: string;
}

/** An event exactly as delivered and as `GET /v1/events` returns it (the `EventExternal` schema). */
export interface LemonEvent {
  readonly id: string;
  readonly type: PublishedEventType;
  /** ISO 8601 with microseconds and offset, e.g. `2023-06-29T14:40:30.523373+00:00`. */
  readonly created_at: string;
  readonly context: Readonly<Record<string, string>>;
}

/** One delivery attempt of one event to one webhook; exactly one of `status` and `error` is set. */
export interface DeliveryAttempt {
  readonly eventId: string;
  readonly webhookId: string;
  /** 1 for the first attempt of a delivery, 2 for its first retry, … */
  readonly attempt: number;
  /** HTTP status the receiver answered (200 is the only success). */
  readonly status?: number;
  /** Why no status was received: `timeout` or a socket error code/message. */
  readonly error?: string;
  readonly durationMs: number;
  /** True for the extra copy scheduled by `duplicateRate`. */
  readonly duplicate: boolean;
  /** Epoch milliseconds when the attempt started. */
  readonly at: number;
}

/** Every request the API (`/v1/...`) received, in arrival order. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/webhooks/wbh_…`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /**
   * Lower-cased request headers. `authorization` is replaced by `[REDACTED]` so the API key never sits in
   * a recording that might be printed; `authorized` says whether it was accepted.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly authorized: boolean;
  /** Parsed JSON body; the raw text when it is not JSON; `undefined` when empty. */
  readonly body: unknown;
  /** Epoch milliseconds of arrival. */
  readonly at: number;
}

/** Routes a fault can be attached to. */
export type FaultRoute =
  | "POST /v1/webhooks"
  | "GET /v1/webhooks"
  | "DELETE /v1/webhooks/:id"
  | "GET /v1/events"
  | "POST /v1/accounts";

/** What an injected fault does to the matched request. */
export type Fault =
  /** Answer `status` with a `{message}` body without performing the operation. */
  | { readonly kind: "status"; readonly status: number }
  /** Answer 429 with `Retry-After: seconds` without performing the operation. */
  | { readonly kind: "retryAfter"; readonly seconds: number }
  /** Wait `ms`, then handle the request normally. */
  | { readonly kind: "slow"; readonly ms: number }
  /** Perform the operation, then destroy the socket without answering. */
  | { readonly kind: "commitThenDrop" };

/** A fault for the next `times` (default 1) requests matching `route`. */
export interface EnqueuedFault {
  readonly route: FaultRoute;
  readonly fault: Fault;
  readonly times?: number;
}

/** Random faults for reliability tests: each API request gets a fault with probability `rate`. */
export interface RandomFaultOptions {
  /** Probability in [0, 1]. */
  readonly rate: number;
  /**
   * Faults to pick from (uniformly). A bare kind uses a default: status 503, retryAfter 1 s, slow 200 ms.
   */
  readonly kinds: readonly (Fault | Fault["kind"])[];
  /** Seed of this fault stream; defaults to the emulator seed. */
  readonly seed?: number;
  /** Restrict to these routes; all routes when absent. */
  readonly routes?: readonly FaultRoute[];
}

/** Fault injection controls. Enqueued faults take precedence over random ones. */
export interface FaultControls {
  enqueue(fault: EnqueuedFault): void;
  random(options: RandomFaultOptions): void;
  /** Drop all enqueued faults and stop random ones. */
  clear(): void;
}

/** How events are delivered to webhooks. */
export interface DeliveryOptions {
  /** An attempt succeeds only with HTTP 200 within this many ms. Default 10000 (lemon.markets' 10 s). */
  timeoutMs?: number;
  /** Attempts per delivery including the first. Default 8. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each retry. Default 1000. */
  baseDelayMs?: number;
  /** Cap of the retry delay. Default 60000. */
  maxDelayMs?: number;
  /** Probability in [0, 1] that a delivery gets an extra, independent copy. Default 0. */
  duplicateRate?: number;
  /** Hold every first attempt back a seeded random 0..reorderWindowMs so deliveries arrive out of order. */
  reorder?: boolean;
  /** Upper bound of the reorder hold-back in ms. Default 200. */
  reorderWindowMs?: number;
  /** Attempts in flight at once. Default 8. */
  concurrency?: number;
}

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Accepted bearer keys. Default {@link DEFAULT_API_KEYS}. */
  apiKeys?: string[];
  delivery?: DeliveryOptions;
  /** Seed of every random choice that is not a secret or id (duplicates, reorder, random faults). */
  seed?: number;
  /** Receives one line per API request and delivery attempt; never secrets. Silent by default. */
  log?: (line: string) => void;
  /**
   * How deliveries are signed: a preset name (`hex-key`, `stripe-like`, …), a JSON object string, an object
   * of scheme fields, or a parsed {@link SignatureScheme}. Default `lemon-default`, the documented assumption.
   * Lets you rehearse a receiver's scheme switch locally.
   */
  signatureScheme?: SignatureSchemeInput;
}

export interface Emulator {
  /** `http://<host>:<port>/v1` */
  readonly baseUrl: string;
  readonly port: number;
  /** The seed in use (the given one, or the random one chosen when none was given). */
  readonly seed: number;
  /** The scheme deliveries are signed with. */
  readonly signatureScheme: SignatureScheme;
  readonly faults: FaultControls;
  readonly requests: RecordedRequest[];
  readonly deliveries: DeliveryAttempt[];
  /** Current registrations, oldest first. */
  webhooks(): Webhook[];
  /** Every event emitted so far, oldest first. */
  events(): LemonEvent[];
  /** Records an event and delivers it to every webhook subscribed to `type`. Throws on unknown types. */
  emit(type: string, context: Record<string, string>): LemonEvent;
  /** Resolves once every delivery has succeeded, exhausted its attempts or lost its webhook. */
  waitForDeliveries(timeoutMs?: number): Promise<void>;
  setApiKeys(keys: string[]): void;
  /** Stops starting new attempts (in-flight ones finish); events keep being recorded and queued. */
  pauseDeliveries(): void;
  resumeDeliveries(): void;
  /** Stops the server and cancels pending deliveries. */
  close(): Promise<void>;
}
