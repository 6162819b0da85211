/**
 * The delivery loop: POSTs each event to each subscribed webhook, signed with that webhook's
 * `signature_secret`, and retries until the receiver answers 200 within the timeout — lemon.markets'
 * documented contract ("return 200 OK within 10 seconds or delivery is retried"). Also the misbehaviour
 * real deliveries show, on demand and reproducibly: duplicate copies and out-of-order arrival.
 */
import http from "node:http";
import https from "node:https";
import { DEFAULT_SIGNATURE_SCHEME, type SignatureScheme, signHeaders } from "../contract/signature";
import { deriveSeed, seededRandom } from "./rng";
import type { DeliveryAttempt, DeliveryOptions, LemonEvent, Webhook } from "./types";

export const DEFAULT_DELIVERY: Readonly<Required<DeliveryOptions>> = Object.freeze({
  timeoutMs: 10_000,
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  duplicateRate: 0,
  reorder: false,
  reorderWindowMs: 200,
  concurrency: 8,
});

interface Job {
  readonly event: LemonEvent;
  readonly body: string;
  readonly webhook: Webhook;
  readonly duplicate: boolean;
  attempt: number;
}

/** Delay before retry number `failedAttempt` (1-based): base · 2^(n-1), capped. No jitter: reproducible. */
export function retryDelayMs(
  failedAttempt: number,
  options: Pick<DeliveryOptions, "baseDelayMs" | "maxDelayMs">,
) {
  const base = options.baseDelayMs ?? DEFAULT_DELIVERY.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_DELIVERY.maxDelayMs;
  return Math.min(max, base * 2 ** (failedAttempt - 1));
}

/** Validates delivery options, naming the field; returns them with defaults filled in. */
export function resolveDeliveryOptions(options: DeliveryOptions = {}): Required<DeliveryOptions> {
  const resolved = { ...DEFAULT_DELIVERY, ...stripUndefined(options) };
  const checks: [keyof DeliveryOptions, boolean, string][] = [
    ["timeoutMs", isNumberAtLeast(resolved.timeoutMs, 1), "a number of ms >= 1"],
    ["maxAttempts", Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 1, "an integer >= 1"],
    ["baseDelayMs", isNumberAtLeast(resolved.baseDelayMs, 0), "a number of ms >= 0"],
    ["maxDelayMs", isNumberAtLeast(resolved.maxDelayMs, 0), "a number of ms >= 0"],
    ["duplicateRate", resolved.duplicateRate >= 0 && resolved.duplicateRate <= 1, "a number from 0 to 1"],
    ["reorder", typeof resolved.reorder === "boolean", "true or false"],
    ["reorderWindowMs", isNumberAtLeast(resolved.reorderWindowMs, 0), "a number of ms >= 0"],
    ["concurrency", Number.isInteger(resolved.concurrency) && resolved.concurrency >= 1, "an integer >= 1"],
  ];
  for (const [field, ok, expected] of checks) {
    if (!ok) throw new TypeError(`delivery.${field} must be ${expected} (got ${String(resolved[field])})`);
  }
  return resolved;
}

function isNumberAtLeast(value: unknown, min: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= min;
}

function stripUndefined(options: DeliveryOptions): DeliveryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

export class DeliveryEngine {
  private readonly ready: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly idle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly duplicateRandom: () => number;
  private readonly reorderRandom: () => number;
  // Own agents, so close() can drop their keep-alive sockets instead of leaving them to the process.
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private unfinished = 0;
  private running = 0;
  private paused = false;
  private closed = false;

  constructor(
    private readonly options: Required<DeliveryOptions>,
    seed: number,
    private readonly isRegistered: (webhookId: string) => boolean,
    /** Shared with `Emulator.deliveries`: appended to, never replaced. */
    readonly attempts: DeliveryAttempt[],
    private readonly log: (line: string) => void,
    /** How each attempt is signed; a timestamped scheme signs each attempt at its own time. */
    private readonly signatureScheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
  ) {
    this.duplicateRandom = seededRandom(deriveSeed(seed, "duplicates"));
    this.reorderRandom = seededRandom(deriveSeed(seed, "reorder"));
  }

  /** Queues `event` for every webhook in `webhooks` (the subscribers at emission time). */
  deliver(event: LemonEvent, webhooks: readonly Webhook[]): void {
    if (this.closed) return;
    // One body for every webhook: the bytes signed are exactly the bytes sent.
    const body = JSON.stringify(event);
    for (const webhook of webhooks) {
      this.start({ event, body, webhook, duplicate: false, attempt: 1 });
      // Always draw, so whether event N is duplicated does not depend on earlier events' webhooks count.
      const duplicated = this.duplicateRandom() < this.options.duplicateRate;
      if (duplicated) this.start({ event, body, webhook, duplicate: true, attempt: 1 });
    }
  }

  private start(job: Job): void {
    this.unfinished += 1;
    const holdBack = this.options.reorder
      ? Math.floor(this.reorderRandom() * (this.options.reorderWindowMs + 1))
      : 0;
    this.schedule(job, holdBack);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Resolves when nothing is queued, waiting or in flight; rejects after `timeoutMs`. */
  waitForIdle(timeoutMs: number): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idle.splice(this.idle.indexOf(waiter), 1);
        reject(new Error(`${this.unfinished} deliveries still unfinished after ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.idle.push(waiter);
    });
  }

  /** Cancels everything pending; waiters are rejected, since their deliveries will never finish. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.inFlight) request.destroy();
    this.ready.length = 0;
    this.agents.http.destroy();
    this.agents.https.destroy();
    const waiters = this.idle.splice(0);
    for (const waiter of waiters) {
      waiter.reject(new Error(`emulator closed with ${this.unfinished} deliveries unfinished`));
    }
  }

  private schedule(job: Job, delayMs: number): void {
    if (delayMs <= 0) {
      this.ready.push(job);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(job);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  private pump(): void {
    while (!this.paused && !this.closed && this.running < this.options.concurrency) {
      const job = this.ready.shift();
      if (!job) return;
      this.running += 1;
      void this.run(job).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    // A webhook deleted while its delivery waited gets nothing more, as with the real service.
    if (!this.isRegistered(job.webhook.id)) return this.finish();
    const at = Date.now();
    const outcome = await this.post(job);
    if (this.closed) return;
    const attempt: DeliveryAttempt = {
      eventId: job.event.id,
      webhookId: job.webhook.id,
      attempt: job.attempt,
      ...outcome,
      duplicate: job.duplicate,
      at,
    };
    this.attempts.push(attempt);
    this.log(
      `delivery ${attempt.eventId} (${job.event.type}) -> ${attempt.webhookId} attempt ${attempt.attempt}` +
        `${job.duplicate ? " (duplicate)" : ""}: ${attempt.status ?? attempt.error} in ${attempt.durationMs} ms`,
    );
    if (outcome.status === 200 || job.attempt >= this.options.maxAttempts) return this.finish();
    job.attempt += 1;
    this.schedule(job, retryDelayMs(job.attempt - 1, this.options));
  }

  private finish(): void {
    this.unfinished -= 1;
    if (this.unfinished > 0) return;
    for (const waiter of this.idle.splice(0)) waiter.resolve();
  }

  /** One POST; resolves (never rejects) with the status, or the error, and how long it took. */
  private post(job: Job): Promise<{ status?: number; error?: string; durationMs: number }> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: { status?: number; error?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(request);
        resolve({ ...outcome, durationMs: elapsed() });
      };
      const url = new URL(job.webhook.url);
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request(url, {
        method: "POST",
        agent: secure ? this.agents.https : this.agents.http,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(job.body),
          "user-agent": "lemon-markets-emulator",
          ...signHeaders(job.body, job.webhook.signature_secret, this.signatureScheme, { id: job.event.id }),
        },
      });
      // The answer counts only once it is complete: a 200 whose body never ends is no acknowledgement.
      const timer = setTimeout(() => {
        request.destroy();
        settle({ error: "timeout" });
      }, this.options.timeoutMs);
      this.inFlight.add(request);
      request.on("response", (response) => {
        response.resume();
        response.on("end", () => settle({ status: response.statusCode ?? 0 }));
        response.on("error", (error: NodeJS.ErrnoException) =>
          settle({ error: error.code ?? error.message }),
        );
      });
      request.on("error", (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message }));
      request.end(job.body);
    });
  }
}
