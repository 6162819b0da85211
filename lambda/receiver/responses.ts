/**
 * The one place errors become HTTP responses. Bodies are short fixed JSON: no secrets, no expected
 * signatures, no stack, no AWS detail. Only the (authenticated) envelope reason and the public size limit are
 * echoed, because they tell a legitimate sender how to fix its request.
 */

import type { RejectReason } from "../../contract/metrics";
import {
  ConfigError,
  DependencyUnavailableError,
  EnvelopeError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  SignatureError,
} from "../core/errors";

/** What the receiver answers (the adapter copies it into the API Gateway result). */
export interface ReceiverResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** How a request ended; the `outcome` field of the request log line. */
export type Outcome =
  | "stored"
  | "duplicate"
  | "rejected"
  | "unavailable"
  | "misconfigured"
  | "internal_error";

/** A failed request: the response plus how to log and count it. */
export interface Failure {
  readonly response: ReceiverResponse;
  readonly outcome: Outcome;
  readonly rejectReason?: RejectReason;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

function json(statusCode: number, body: object, headers: Record<string, string> = {}): ReceiverResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** 200 for a stored event or a duplicate of one: lemon.markets stops retrying. */
export function acceptedResponse(outcome: "stored" | "duplicate"): ReceiverResponse {
  return json(200, { status: outcome });
}

/** Maps any thrown value to its response; unknown errors are a 500 that says nothing about the cause. */
export function failureFor(error: unknown): Failure {
  if (error instanceof MethodNotAllowedError) {
    return {
      response: json(405, { error: "method_not_allowed" }, { allow: "POST" }),
      outcome: "rejected",
      rejectReason: "method",
    };
  }
  if (error instanceof PayloadTooLargeError) {
    return {
      response: json(413, { error: "payload_too_large", limit_bytes: error.limitBytes }),
      outcome: "rejected",
      rejectReason: "too_large",
    };
  }
  if (error instanceof SignatureError) {
    return {
      response: json(401, { error: "invalid_signature" }),
      outcome: "rejected",
      rejectReason: "signature",
    };
  }
  if (error instanceof EnvelopeError) {
    return {
      response: json(400, { error: "invalid_envelope", reason: error.reason }),
      outcome: "rejected",
      rejectReason: "envelope",
    };
  }
  if (error instanceof DependencyUnavailableError) {
    return { response: json(503, { error: "temporarily_unavailable" }), outcome: "unavailable" };
  }
  if (error instanceof ConfigError) {
    return { response: json(500, { error: "misconfigured" }), outcome: "misconfigured" };
  }
  return { response: json(500, { error: "internal_error" }), outcome: "internal_error" };
}
