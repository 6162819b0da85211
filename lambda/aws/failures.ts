/**
 * Which failed AWS calls are worth repeating: the one classification for every caller. The receiver itself
 * never repeats a call (lemon.markets retries the delivery); the reconciler retries exactly these.
 *
 * Transient, as in the AWS SDK's retry strategy: no answer (network error, our own timeout), any HTTP 5xx
 * whatever its error type (EventBridge's `InternalException`, DynamoDB's `InternalServerError`, a 502 from
 * a load balancer without a body), HTTP 429, and the throttling and conflict error types, which also arrive
 * without a status (a failed `PutEvents` entry answers 200 and names `ThrottlingException` or
 * `InternalFailure`). Not transient: a definite rejection (access denied, validation: it would fail again)
 * and the invocation's own `deadline` (no time is left to try again).
 */
import { DependencyUnavailableError } from "../core/errors";
import { AwsServiceError } from "./json-client";

// Codes of failures without an AWS answer, or whose answer had no parseable body (the status is in the code).
const NO_ANSWER_CODE = /^(network|timeout|http-5\d\d|unparseable-http-5\d\d|http-429|unparseable-http-429)$/;

// Error types that mean "try again later" whatever the status; the SDK's throttling and transient codes
// (@smithy service-error-classification) and the types DynamoDB and EventBridge name for their own faults.
const TRANSIENT_TYPE =
  /Throttl|LimitExceeded|ProvisionedThroughput|TooManyRequests|SlowDown|RequestTimeout|PriorRequestNotComplete|TransactionInProgress|TransactionConflict|InternalServerError|InternalFailure|InternalError|InternalException|ServiceUnavailable/;

/**
 * True for a failed AWS call worth repeating (see the file comment).
 *
 * @example
 * isTransientAwsFailure(new DependencyUnavailableError("eventbridge", "ThrottlingException")); // true
 */
export function isTransientAwsFailure(error: unknown): boolean {
  if (!(error instanceof DependencyUnavailableError)) return false;
  if (error.cause instanceof AwsServiceError && (error.cause.status >= 500 || error.cause.status === 429))
    return true;
  return NO_ANSWER_CODE.test(error.code) || TRANSIENT_TYPE.test(error.code);
}
