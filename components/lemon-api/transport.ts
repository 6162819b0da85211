/**
 * One HTTP exchange with lemon.markets through axios, reduced to plain values: an answer (status, headers we
 * use, parsed body) or a failure (code, detail, whether the request may have been sent). Nothing of axios'
 * error object — whose `config.headers` hold the API key — leaves this module.
 */
import type http from "node:http";
import type https from "node:https";
import axios from "axios";

/** A request to send; `url` is absolute. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly url: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
}

/** What the client sends with every request. */
export interface TransportSettings {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** Strings to blank out of any text that ends up in an error (the API key). */
  readonly redact: readonly string[];
}

/** lemon.markets answered. `body` is the parsed JSON, `undefined` when empty; `bodyError` when not JSON. */
export interface HttpAnswer {
  readonly type: "answer";
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: unknown;
  readonly bodyError?: string;
}

/** No answer arrived. `maybeSent` is false only when the request certainly never reached a server. */
export interface HttpFailure {
  readonly type: "timeout" | "network";
  readonly code: string;
  readonly detail: string;
  readonly maybeSent: boolean;
}

/** The outcome of {@link exchange}. */
export type HttpOutcome = HttpAnswer | HttpFailure;

// Failures before any byte of the request could reach lemon.markets: name resolution, connection setup, TLS.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_INVALID_URL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
const TIMEOUT_CODES = new Set(["ECONNABORTED", "ETIMEDOUT"]);

/** Sends one request; never throws. */
export async function exchange(settings: TransportSettings, request: HttpRequest): Promise<HttpOutcome> {
  const headers: Record<string, string> = { ...settings.headers };
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  // axios' `timeout` is an idle timeout of the socket; the signal bounds the whole exchange.
  const deadline = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await axios.request<string>({
      method: request.method,
      url: request.url,
      headers,
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeout: settings.timeoutMs,
      signal: deadline,
      responseType: "text",
      transformResponse: [(data: string) => data],
      validateStatus: () => true,
      // A redirect would resend the API key to wherever it points; lemon.markets does not redirect.
      maxRedirects: 0,
      httpAgent: settings.httpAgent,
      httpsAgent: settings.httpsAgent,
    });
    const retryAfter = response.headers["retry-after"];
    return {
      type: "answer",
      status: response.status,
      retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
      ...parseBody(response.data),
    };
  } catch (error) {
    return describeFailure(error, deadline.aborted, settings.redact);
  }
}

function parseBody(text: unknown): { body: unknown; bodyError?: string } {
  if (typeof text !== "string" || text.trim() === "") return { body: undefined };
  try {
    return { body: JSON.parse(text) };
  } catch {
    // The body itself is not quoted: it could contain anything, including a signature secret.
    return { body: undefined, bodyError: "response body is not JSON" };
  }
}

function describeFailure(error: unknown, deadlinePassed: boolean, redact: readonly string[]): HttpFailure {
  const code = errorCode(error);
  const detail = scrub(error instanceof Error ? error.message : String(error), redact);
  if (deadlinePassed || TIMEOUT_CODES.has(code)) {
    return { type: "timeout", code: code === "ERR_CANCELED" ? "ETIMEDOUT" : code, detail, maybeSent: true };
  }
  return { type: "network", code, detail, maybeSent: !NOT_SENT_CODES.has(code) };
}

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return "ERR_NETWORK";
}

/** Replaces every occurrence of each secret (the API key) in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret !== "") clean = clean.split(secret).join("[redacted]");
  }
  return clean;
}
