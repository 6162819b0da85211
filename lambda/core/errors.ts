/**
 * One error class per way a delivery can fail. Each is mapped to an HTTP status in exactly one place
 * (`responses.ts`), so the status a caller sees never depends on where in the code the failure happened.
 * Messages are written for operators' logs; response bodies never echo them (see `responses.ts`).
 */
import type { DEPENDENCIES } from "../../contract/metrics";

/** The `Lemon-Markets-Signature` header is missing, malformed, or matches no active secret. */
export class SignatureError extends Error {
  override readonly name = "SignatureError";
  constructor() {
    // Deliberately vague: the caller is unauthenticated and learns nothing about why.
    super("signature missing or invalid");
  }
}

/** The request body is larger than the configured limit (`LEMON_MAX_BODY_BYTES`). */
export class PayloadTooLargeError extends Error {
  override readonly name = "PayloadTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
  }
}

// The (authenticated) body is not JSON or not an event envelope: defined with the envelope it validates.
export { EnvelopeError } from "../../contract/event";

/** Any method other than POST. */
export class MethodNotAllowedError extends Error {
  override readonly name = "MethodNotAllowedError";
  constructor(readonly method: string) {
    super(`method ${method} not allowed; lemon.markets delivers with POST`);
  }
}

/**
 * A service an AWS client of this package talks to: the Lambdas' {@link DEPENDENCIES}, and CloudWatch and SQS,
 * which only the `status` command reads.
 */
export type Dependency = (typeof DEPENDENCIES)[number] | "cloudwatch" | "sqs";

/**
 * Secrets Manager, DynamoDB or EventBridge failed (network, timeout, throttling, 5xx, a rejected request or a
 * partially failed `PutEvents`), or the invocation's time budget ran out before it answered. `code` is the AWS
 * error type (or `network`, `timeout`, `deadline`, `http-<status>`) for logs; the original error is kept as
 * `cause`.
 */
export class DependencyUnavailableError extends Error {
  override readonly name = "DependencyUnavailableError";
  constructor(
    readonly dependency: Dependency,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable (${code})`, options);
  }
}

/** An environment variable is missing or invalid; the message names every offending variable and the fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** `subject` names the misconfigured function in the message (default `receiver`). */
  constructor(
    readonly problems: readonly string[],
    subject = "receiver",
  ) {
    super(`${subject} misconfigured: ${problems.join("; ")}`);
  }
}
