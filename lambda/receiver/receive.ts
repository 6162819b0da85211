/**
 * The receiver core: method → size → signature → envelope → store (one conditional PutItem) → 200. All I/O
 * is behind injected ports, so tests, the local sandbox and Lambda run this same code. Forwarding to
 * EventBridge is not here: the table's stream hands every stored event to the forwarder (`forwarder/`).
 *
 * Before the 200 of a new event exactly one AWS call is made (the `PutItem`), plus `GetSecretValue` when the
 * secret cache is cold. A duplicate costs the same one conditional write and is answered 200 too.
 *
 * Order matters: the signature is verified on the raw bytes BEFORE the body is parsed, so an unauthenticated
 * caller never learns why its body would be bad; only the size check comes first, so a huge body costs no MAC.
 */
import { parseEnvelope } from "../../contract/event";
import { STORED_EVENT_VIA } from "../../contract/events-table";
import type { MetricName } from "../../contract/metrics";
import {
  DEFAULT_SIGNATURE_SCHEME,
  type SignedRequest,
  headerValue as signatureHeader,
  verifyRequest,
} from "../../contract/signature";
import {
  DEFAULT_INVOCATION_BUDGET_MS,
  type Deadline,
  ensureTimeLeft,
  invocationDeadline,
} from "../core/deadline";
import {
  DependencyUnavailableError,
  EnvelopeError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  SignatureError,
} from "../core/errors";
import type {
  Clock,
  EventStore,
  Logger,
  LogRecord,
  Metrics,
  SecretSource,
  StoreOutcome,
} from "../core/ports";
import type { ReceiverConfig } from "./config";
import { acceptedResponse, failureFor, type ReceiverResponse } from "./responses";
import { SecretKeyring } from "./secret-keyring";
import { probeLogRecord, SchemeProbe } from "./signature-probe";

/** A delivery as the HTTP layer saw it (API Gateway v2 fields, transport-neutral). */
export interface ReceiveRequest {
  readonly method: string;
  /** Header names in any case; the signature header is looked up case-insensitively. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
  /** True when `body` is base64 of the raw bytes (API Gateway does this for non-text content types). */
  readonly isBase64Encoded: boolean;
  /** Correlates the log line with the platform's request id. */
  readonly requestId?: string;
  /**
   * Time the platform gives this invocation from now (Lambda's `getRemainingTimeInMillis()`); absent when it
   * does not say, and then {@link ReceiverDeps.invocationBudgetMs} applies.
   */
  readonly remainingTimeMs?: number;
}

/** Everything the core needs; see `ports.ts`. */
export interface ReceiverDeps {
  readonly config: Pick<ReceiverConfig, "maxBodyBytes" | "secretCacheSeconds" | "rotationGraceSeconds"> &
    Partial<Pick<ReceiverConfig, "signatureScheme">>;
  readonly secrets: SecretSource;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The budget of a request without `remainingTimeMs`; default {@link DEFAULT_INVOCATION_BUDGET_MS}. */
  readonly invocationBudgetMs?: number;
  /**
   * The signature-scheme probe run on a failed verification (`signature-probe.ts`); default one with the
   * default rate limit on `clock`. `false` turns it off.
   */
  readonly schemeProbe?: SchemeProbe | false;
}

/**
 * Handles one delivery; never throws (every failure is a response). Answers before the invocation's
 * deadline: once the budget is spent no further AWS call starts and the answer is 503, so lemon.markets
 * retries (see `deadline.ts`); a write cut off that landed anyway is found by that retry's condition.
 */
export type Receive = (request: ReceiveRequest) => Promise<ReceiverResponse>;

/** Facts gathered while handling one request, for its single log line. */
interface Trace {
  eventId?: string;
  eventType?: string;
}

function bodyBytes(request: ReceiveRequest, limit: number): Buffer {
  const body = request.body ?? "";
  // Cheap bounds before decoding: base64 carries 3 bytes per 4 characters, UTF-8 at least 1 byte per unit.
  const lowerBound = request.isBase64Encoded ? Math.floor(body.length / 4) * 3 - 2 : body.length;
  if (lowerBound > limit) throw new PayloadTooLargeError(limit);
  const bytes = Buffer.from(body, request.isBase64Encoded ? "base64" : "utf8");
  if (bytes.length > limit) throw new PayloadTooLargeError(limit);
  return bytes;
}

function logFields(error: unknown): LogRecord {
  if (error instanceof EnvelopeError) return { reason: error.reason };
  if (error instanceof DependencyUnavailableError)
    return { dependency: error.dependency, errorCode: error.code };
  if (error instanceof Error && !(error instanceof SignatureError)) return { errorName: error.name };
  return {};
}

/**
 * Builds the core from its ports.
 *
 * @example
 * const receive = createReceiver({ config, secrets, store, clock, logger, metrics });
 * const response = await receive({ method: "POST", headers, body, isBase64Encoded: false });
 */
export function createReceiver(deps: ReceiverDeps): Receive {
  const { config, store, clock, logger, metrics } = deps;
  const keyring = new SecretKeyring(deps.secrets, {
    cacheSeconds: config.secretCacheSeconds,
    graceSeconds: config.rotationGraceSeconds,
    clock,
  });

  const scheme = config.signatureScheme ?? DEFAULT_SIGNATURE_SCHEME;
  const probe = deps.schemeProbe ?? new SchemeProbe({ clock });

  /**
   * After a failed verification: does the request verify under exactly one OTHER preset (the configured
   * scheme may be a wrong guess)? Then one log line and one metric name it; the answer stays 401. Never
   * throws and never changes the outcome: a secret that cannot be fetched just means no probe.
   */
  async function runProbe(signed: SignedRequest, requestId: string | undefined, deadline: Deadline) {
    if (probe === false || !probe.worthProbing(signed, scheme)) return;
    try {
      const result = probe.run(signed, await keyring.activeSecrets(deadline), scheme);
      if (result.outcome !== "matched") return;
      logger.warn({ ...probeLogRecord(result.preset), requestId });
      metrics.probeMatched?.(result.preset);
    } catch {
      // The probe is advice; the delivery is rejected either way.
    }
  }

  async function authenticate(bytes: Buffer, request: ReceiveRequest, deadline: Deadline): Promise<void> {
    const signed: SignedRequest = { body: bytes, headers: request.headers };
    // No header of the configured scheme: reject without touching Secrets Manager (unless the probe has
    // another preset's headers to try; the secret is cached).
    const header = signatureHeader(request.headers, scheme.headerName);
    if (header === undefined || header.trim().length === 0) {
      await runProbe(signed, request.requestId, deadline);
      throw new SignatureError();
    }
    if (verifyRequest(signed, await keyring.activeSecrets(deadline), scheme, clock.now())) return;
    // The secret may have been rotated since it was cached: look once more before rejecting.
    if (
      (await keyring.refreshAfterFailure(deadline)) &&
      verifyRequest(signed, await keyring.activeSecrets(deadline), scheme, clock.now())
    ) {
      return;
    }
    await runProbe(signed, request.requestId, deadline);
    throw new SignatureError();
  }

  async function storeEvent(bytes: Buffer, trace: Trace, deadline: Deadline): Promise<StoreOutcome> {
    // Decoded once from the verified bytes: what is stored (and forwarded) is exactly what was signed.
    const body = bytes.toString("utf8");
    const envelope = parseEnvelope(body);
    trace.eventId = envelope.id;
    trace.eventType = envelope.type;
    ensureTimeLeft(deadline, "dynamodb");
    const event = {
      id: envelope.id,
      type: envelope.type,
      createdAt: envelope.created_at,
      body,
      via: STORED_EVENT_VIA.webhook,
    };
    return store.store(event, clock.now(), deadline);
  }

  async function handle(request: ReceiveRequest, trace: Trace, deadline: Deadline): Promise<StoreOutcome> {
    if (request.method.toUpperCase() !== "POST") throw new MethodNotAllowedError(request.method);
    const bytes = bodyBytes(request, config.maxBodyBytes);
    await authenticate(bytes, request, deadline);
    return storeEvent(bytes, trace, deadline);
  }

  return async (request) => {
    const startedMs = clock.now();
    const deadline = invocationDeadline(
      clock,
      request.remainingTimeMs ?? deps.invocationBudgetMs ?? DEFAULT_INVOCATION_BUDGET_MS,
    );
    const trace: Trace = {};
    const base = (status: number): LogRecord => ({
      msg: "delivery",
      status,
      eventId: trace.eventId,
      eventType: trace.eventType,
      requestId: request.requestId,
      latencyMs: clock.now() - startedMs,
    });
    try {
      const outcome = await handle(request, trace, deadline);
      logger.info({ ...base(200), outcome });
      metrics.record(["Received", outcome === "stored" ? "Stored" : "Duplicates"]);
      return acceptedResponse(outcome);
    } catch (error) {
      const failure = failureFor(error);
      const record = { ...base(failure.response.statusCode), outcome: failure.outcome, ...logFields(error) };
      const counter: MetricName = failure.outcome === "rejected" ? "Rejected" : "Failed";
      if (counter === "Failed") logger.error(record);
      else logger.warn({ ...record, rejectReason: failure.rejectReason });
      const dependency = error instanceof DependencyUnavailableError ? error.dependency : undefined;
      metrics.record(["Received", counter], failure.rejectReason, dependency);
      return failure.response;
    }
  };
}
