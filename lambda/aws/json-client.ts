/**
 * A minimal client for the AWS JSON protocols (`X-Amz-Target` + `application/x-amz-json-1.x`) over node:http(s)
 * with keep-alive. node:http is used rather than global `fetch` because fetch's implementation (undici) is
 * loaded lazily on first use and would add its load time to the first, cold invocation.
 *
 * Failure policy: network errors, timeouts, throttling, 5xx and any unexpected error type become a
 * {@link DependencyUnavailableError} (the receiver answers 503 and lemon.markets retries). No retries here:
 * the sender retries, and the 10-second acknowledgement budget is better spent answering.
 *
 * Time: each call is cut off after `min(timeoutMs, deadline.remainingMs())` of wall time (a total limit, not
 * a socket idle timeout, so a trickling response cannot stretch it), and no call starts once the invocation's
 * deadline has passed.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type Deadline, NO_DEADLINE } from "../core/deadline";
import { type Dependency, DependencyUnavailableError } from "../core/errors";
import { type AwsCredentials, signRequest } from "./sigv4";

/** Longest wait for one AWS call; the invocation's deadline may cut it shorter. */
export const AWS_CALL_TIMEOUT_MS = 3_000;

/** How a service's JSON protocol is spoken: SigV4 signing name, `X-Amz-Target` prefix, content-type version. */
export interface AwsJsonProtocol {
  readonly signingName: string;
  readonly targetPrefix: string;
  readonly jsonVersion: "1.0" | "1.1";
}

/** The protocol of each service we call; the local fakes serve the same table. */
export const AWS_JSON_PROTOCOLS: Readonly<Record<Dependency, AwsJsonProtocol>> = {
  "secrets-manager": { signingName: "secretsmanager", targetPrefix: "secretsmanager", jsonVersion: "1.1" },
  dynamodb: { signingName: "dynamodb", targetPrefix: "DynamoDB_20120810", jsonVersion: "1.0" },
  eventbridge: { signingName: "events", targetPrefix: "AWSEvents", jsonVersion: "1.1" },
  // The CLI's `status` reads these two (AWS JSON 1.0, as the SDK v3 clients speak them).
  cloudwatch: {
    signingName: "monitoring",
    targetPrefix: "GraniteServiceVersion20100801",
    jsonVersion: "1.0",
  },
  sqs: { signingName: "sqs", targetPrefix: "AmazonSQS", jsonVersion: "1.0" },
};

/** Where and as whom one AWS service is reached; its protocol follows from `dependency`. */
export interface AwsJsonClientOptions {
  readonly dependency: Dependency;
  readonly endpoint: URL;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Longest wait for one call, default {@link AWS_CALL_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Signing time; injectable for tests. */
  readonly now?: () => Date;
}

/** A call either succeeds or fails with one of the error types the caller said it expects. */
export type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errorType: string };

/** The AWS error response (kept as `cause`; carries the type and status, never the request). */
export class AwsServiceError extends Error {
  override readonly name = "AwsServiceError";
  constructor(
    readonly errorType: string,
    readonly status: number,
    message: string,
  ) {
    super(`${errorType} (HTTP ${status}): ${message}`);
  }
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

interface RawResponse {
  readonly status: number;
  readonly errorTypeHeader: string | undefined;
  readonly body: string;
}

/** Why a call was cut off: its own time limit, or the invocation's deadline (the log's `errorCode`). */
type CutOff = "timeout" | "deadline";

class CallCutOff extends Error {
  override readonly name = "CallCutOff";
  constructor(readonly code: CutOff) {
    super(code);
  }
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  limit: { readonly ms: number; readonly code: CutOff },
): Promise<RawResponse> {
  const secure = url.protocol === "https:";
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: "POST", headers, agent: secure ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        const header = res.headers["x-amzn-errortype"];
        resolve({
          status: res.statusCode ?? 0,
          errorTypeHeader: typeof header === "string" ? header : undefined,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    // Reject first, then destroy: the promise settles once, so the socket errors that follow are ignored.
    const timer = setTimeout(() => {
      reject(new CallCutOff(limit.code));
      req.destroy();
    }, limit.ms);
    req.on("close", () => clearTimeout(timer));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The error type, read where the AWS SDK's awsJson deserialiser reads it and in its order: the body's
 * `__type`, then its `code` (Smithy awsJson; any letter case), then the `X-Amzn-Errortype` header.
 */
function errorTypeOf(response: RawResponse, parsed: Record<string, unknown>): string {
  const codeKey = Object.keys(parsed).find((key) => key.toLowerCase() === "code");
  const raw = [
    parsed.__type,
    codeKey === undefined ? undefined : parsed[codeKey],
    response.errorTypeHeader,
  ].find((value): value is string | number => typeof value === "string" || typeof value === "number");
  const name = raw === undefined ? "" : errorTypeName(String(raw));
  return name === "" ? `http-${response.status}` : name;
}

// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "ThrottlingException:http://…" and a
// repeated header joined as "FooError, BarError" all name one type; keep only the name, as the SDK does.
function errorTypeName(raw: string): string {
  const first = raw.split(",")[0]!.split(":")[0]!;
  return (first.includes("#") ? first.split("#")[1]! : first).trim();
}

function parseObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * One AWS service over its JSON protocol.
 *
 * @example
 * const sm = new AwsJsonClient({ dependency: "secrets-manager", endpoint, region, credentials });
 * const result = await sm.call("GetSecretValue", { SecretId: arn }, ["ResourceNotFoundException"]);
 */
export class AwsJsonClient {
  private readonly protocol: AwsJsonProtocol;

  constructor(private readonly options: AwsJsonClientOptions) {
    this.protocol = AWS_JSON_PROTOCOLS[options.dependency];
  }

  /**
   * Calls `operation`. Resolves `{ok: false, errorType}` only for a type in `expectedErrors`; every other
   * failure throws {@link DependencyUnavailableError}: code `deadline` when `deadline` had passed (no call is
   * made) or cut the call off, `timeout` when the call's own limit did.
   */
  async call<T>(
    operation: string,
    input: object,
    expectedErrors: readonly string[] = [],
    deadline: Deadline = NO_DEADLINE,
  ): Promise<CallResult<T>> {
    const { dependency, endpoint } = this.options;
    const ownLimitMs = this.options.timeoutMs ?? AWS_CALL_TIMEOUT_MS;
    const remainingMs = deadline.remainingMs();
    if (remainingMs <= 0) throw new DependencyUnavailableError(dependency, "deadline");
    const limit =
      remainingMs < ownLimitMs
        ? { ms: remainingMs, code: "deadline" as const }
        : { ms: ownLimitMs, code: "timeout" as const };
    const body = JSON.stringify(input);
    const headers = signRequest(
      {
        method: "POST",
        url: endpoint,
        headers: {
          "content-type": `application/x-amz-json-${this.protocol.jsonVersion}`,
          "x-amz-target": `${this.protocol.targetPrefix}.${operation}`,
        },
        body,
        region: this.options.region,
        service: this.protocol.signingName,
      },
      this.options.credentials,
      this.options.now?.() ?? new Date(),
    );
    let response: RawResponse;
    try {
      response = await post(endpoint, headers, body, limit);
    } catch (error) {
      const code = error instanceof CallCutOff ? error.code : "network";
      throw new DependencyUnavailableError(dependency, code, { cause: error });
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = parseObject(response.body);
    } catch (error) {
      throw new DependencyUnavailableError(dependency, `unparseable-http-${response.status}`, {
        cause: error,
      });
    }
    if (response.status >= 200 && response.status < 300) return { ok: true, value: parsed as T };
    const errorType = errorTypeOf(response, parsed);
    if (response.status < 500 && expectedErrors.includes(errorType)) return { ok: false, errorType };
    const message =
      typeof parsed.message === "string"
        ? parsed.message
        : typeof parsed.Message === "string"
          ? parsed.Message
          : "";
    throw new DependencyUnavailableError(dependency, errorType, {
      cause: new AwsServiceError(errorType, response.status, message),
    });
  }
}
