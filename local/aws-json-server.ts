/**
 * Plumbing shared by the local AWS fakes: an HTTP server on 127.0.0.1 speaking an AWS JSON protocol
 * (`X-Amz-Target: <prefix>.<Operation>`), checking that requests carry a SigV4 Authorization for the right
 * service, plus fault injection ("fail the next N calls", "fail for a stretch of time").
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../contract/random";

/** A reply of an operation handler. */
export interface JsonReply {
  readonly status: number;
  readonly body: object;
}

/** An AWS-style error reply (`__type` + `message`). */
export function awsError(status: number, type: string, message: string): JsonReply {
  return { status, body: { __type: type, message } };
}

/** Handles one operation's parsed input. */
export type OperationHandler = (input: Record<string, unknown>) => JsonReply;

/** A started fake: its endpoint and how to stop it. */
export interface RunningJsonServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A seeded share of calls fails; see {@link FaultPlan.failRandomly}. */
export interface RandomFaults<Kind extends string> {
  /** Probability in [0, 1] that a call fails. */
  readonly rate: number;
  /** Kinds picked uniformly for a failing call. */
  readonly kinds: readonly Kind[];
  /** Seed of the decision stream: the same seed gives the same sequence of decisions per call count. */
  readonly seed: number;
}

/**
 * Faults queued, timed or random; `take()` says whether the current call fails and how. Precedence: a timed
 * stretch, then queued faults, then the random share.
 */
export class FaultPlan<Kind extends string> {
  private readonly queue: Kind[] = [];
  private until: { readonly endMs: number; readonly kind: Kind } | undefined;
  private random:
    | { readonly rate: number; readonly kinds: readonly Kind[]; readonly next: () => number }
    | undefined;
  private readonly counts = new Map<Kind, number>();

  /** The next `count` calls fail with `kind`. */
  failNext(count: number, kind: Kind): void {
    for (let i = 0; i < count; i += 1) this.queue.push(kind);
  }

  /** Every call fails with `kind` for the next `durationMs` of wall time. */
  failFor(durationMs: number, kind: Kind): void {
    this.until = { endMs: Date.now() + durationMs, kind };
  }

  /**
   * From now on a seeded share `rate` of calls fails, each with a kind picked uniformly from `kinds`, until
   * {@link clear}. For load tests that need faults spread over thousands of calls.
   */
  failRandomly(options: RandomFaults<Kind>): void {
    const { rate, kinds, seed } = options;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be from 0 to 1 (got ${rate})`);
    if (kinds.length === 0) throw new RangeError("kinds must name at least one fault kind");
    this.random = { rate, kinds: [...kinds], next: seededRandom(seed) };
  }

  /** Cancels all pending faults (queued, timed and random). */
  clear(): void {
    this.queue.length = 0;
    this.until = undefined;
    this.random = undefined;
  }

  /** How many calls failed so far, per kind (every mode counted). */
  injected(): Readonly<Partial<Record<Kind, number>>> {
    return Object.fromEntries(this.counts) as Partial<Record<Kind, number>>;
  }

  /** The fault for this call, if any (consumes one queued fault). */
  take(): Kind | undefined {
    const kind = this.decide();
    if (kind !== undefined) this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    return kind;
  }

  private decide(): Kind | undefined {
    if (this.until !== undefined && Date.now() < this.until.endMs) return this.until.kind;
    const queued = this.queue.shift();
    if (queued !== undefined || this.random === undefined) return queued;
    // Draw both numbers every time, so decisions depend only on the call count, not on earlier outcomes.
    const hit = this.random.next() < this.random.rate;
    const pick = this.random.kinds[Math.floor(this.random.next() * this.random.kinds.length)];
    return hit ? pick : undefined;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes `server`, dropping keep-alive connections so tests never wait on idle sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Starts a JSON-protocol server on `port` (0 = random).
 *
 * @example
 * const running = await startJsonServer({ ...AWS_JSON_PROTOCOLS.eventbridge,
 *   operations: { PutEvents: (input) => ({ status: 200, body: {} }) } });
 */
export async function startJsonServer(options: {
  readonly targetPrefix: string;
  readonly signingName: string;
  /** The service's AWS JSON version: the content type it accepts and answers with. */
  readonly jsonVersion: "1.0" | "1.1";
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly port?: number;
}): Promise<RunningJsonServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = dispatch(req.headers, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(reply.status, { "content-type": contentType });
      res.end(JSON.stringify(reply.body));
    });
  });

  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  function dispatch(headers: NodeJS.Dict<string | string[]>, text: string): JsonReply {
    if (headers["content-type"] !== contentType) {
      return awsError(
        400,
        "SerializationException",
        `${options.signingName} speaks AWS JSON ${options.jsonVersion}: the content type must be ${contentType}`,
      );
    }
    const authorization = headers.authorization;
    const scope = new RegExp(
      `^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[a-z0-9-]+/${options.signingName}/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`,
    );
    if (typeof authorization !== "string" || !scope.test(authorization)) {
      return awsError(
        400,
        "IncompleteSignatureException",
        `requests must be SigV4-signed for ${options.signingName}`,
      );
    }
    const target = headers["x-amz-target"];
    const operation =
      typeof target === "string" && target.startsWith(`${options.targetPrefix}.`)
        ? target.slice(options.targetPrefix.length + 1)
        : "";
    const handler = options.operations[operation];
    if (handler === undefined)
      return awsError(400, "UnknownOperationException", `unknown operation ${String(target)}`);
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      return awsError(400, "SerializationException", "request body is not JSON");
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return awsError(400, "SerializationException", "request body must be a JSON object");
    }
    return handler(input as Record<string, unknown>);
  }

  const port = await listen(server, options.port ?? 0);
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
