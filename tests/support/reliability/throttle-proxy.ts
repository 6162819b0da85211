/**
 * A pass-through proxy in front of dynalite that answers a seeded share of DynamoDB calls the way DynamoDB
 * throttles: HTTP 400 `ProvisionedThroughputExceededException`, without touching the table. Dynalite has
 * no throttling of its own, and the receiver must treat a throttle as "try again later", never as an answer.
 *
 * The decision for a call depends on the seed, the operation, the item key and how many times that
 * operation was called for that key before — not on the interleaving of concurrent requests — so a seed
 * gives every event the same fault history run after run.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deriveSeed, seededRandom } from "../../../emulator/rng";

/** Options of {@link startThrottleProxy}. */
export interface ThrottleProxyOptions {
  /** The real endpoint, e.g. dynalite's `http://127.0.0.1:1234`. */
  readonly target: string;
  /** Share of calls throttled, in [0, 1]. */
  readonly rate: number;
  readonly seed: number;
}

/** A running proxy. */
export interface ThrottleProxy {
  readonly endpoint: string;
  /** Throttled calls so far, by DynamoDB operation (`PutItem`, `UpdateItem`, …). */
  throttled(): Readonly<Record<string, number>>;
  /** Every call so far (throttled ones included), by operation. */
  calls(): Readonly<Record<string, number>>;
  /** Stops throttling; calls pass through from now on. */
  stopThrottling(): void;
  close(): Promise<void>;
}

const THROTTLE_BODY = JSON.stringify({
  __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
  message: "The level of configured provisioned throughput for the table was exceeded.",
});

/** The `pk` a DynamoDB request addresses (`Item.pk` for PutItem, `Key.pk` otherwise), or "" when none. */
function itemKey(body: Buffer): string {
  try {
    const input = JSON.parse(body.toString("utf8")) as {
      Item?: { pk?: { S?: string } };
      Key?: { pk?: { S?: string } };
    };
    return input.Item?.pk?.S ?? input.Key?.pk?.S ?? "";
  } catch {
    return "";
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Starts the proxy on 127.0.0.1 (random port).
 *
 * @example
 * const proxy = await startThrottleProxy({ target: dynamo.endpoint, rate: 0.05, seed: 7 });
 * // point AWS_ENDPOINT_URL_DYNAMODB at proxy.endpoint
 * await proxy.close();
 */
export async function startThrottleProxy(options: ThrottleProxyOptions): Promise<ThrottleProxy> {
  const target = new URL(options.target);
  const seen = new Map<string, number>();
  const decide = (operation: string, body: Buffer): boolean => {
    const key = `${operation}|${itemKey(body)}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return seededRandom(deriveSeed(options.seed, `${key}|${occurrence}`))() < rate;
  };
  const agent = new http.Agent({ keepAlive: true });
  const throttled: Record<string, number> = {};
  const calls: Record<string, number> = {};
  let rate = options.rate;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const target_ = String(req.headers["x-amz-target"] ?? "");
      const operation = target_.split(".").pop() ?? target_;
      bump(calls, operation);
      if (decide(operation, Buffer.concat(chunks))) {
        bump(throttled, operation);
        res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
        res.end(THROTTLE_BODY);
        return;
      }
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    throttled: () => ({ ...throttled }),
    calls: () => ({ ...calls }),
    stopThrottling: () => {
      rate = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
