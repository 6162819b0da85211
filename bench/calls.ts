/**
 * Counts the AWS calls of one design on the local stand-ins: the receiver bundle runs in a child process (its
 * own environment, as in Lambda) and gets signed deliveries one after another; counting proxies (the fault
 * proxy with no faults) sit in front of every service, one set for the receiver and one for the forwarder, so
 * every call the receiver made was made before its answer. New events first, then one duplicate of each.
 * Used by bench/run.ts for the store-first design and for the claim/lease design of an earlier commit.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  LOCAL_CREDENTIALS,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
  startLocalStream,
} from "../local";
import {
  type CallRecord,
  DYNAMODB_EFFECTS,
  DYNAMODB_THROTTLE,
  EVENTBRIDGE_EFFECTS,
  EVENTBRIDGE_THROTTLE,
  type FaultProxy,
  startFaultProxy,
} from "../local/fault-proxy";
import { sign } from "../contract/signature";
import { FORWARDER_ENV_NAMES } from "../contract/events-table";

/** Calls per event of one design, by phase and operation. */
export interface CallCounts {
  /** Receiver calls per new event before its 200, by operation (warm secret cache). */
  readonly newEvent: Readonly<Record<string, number>>;
  /** `GetSecretValue` calls of a cold container's first delivery (AWSCURRENT, and AWSPREVIOUS if asked). */
  readonly coldSecretCalls: number;
  /** Receiver calls per duplicate before its 200. */
  readonly duplicate: Readonly<Record<string, number>>;
  /** Forwarder calls per event (store-first only), by operation, batched as the local stream batched. */
  readonly forwarder: Readonly<Record<string, number>>;
  /** Forwarder invocations per event as the local stream batched them, or 0 without a forwarder. */
  readonly forwarderInvocations: number;
  /** `PutEvents` entries per event, whichever function sent them. */
  readonly putEventsEntries: number;
  /** Statuses the receiver answered, to show every delivery was a 200. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Bytes of the stored item of a 1 KiB event, where the design stores the event (for write units). */
  readonly eventBytes: number;
}

const SECRET = "bench-calls-signature-secret";

/** A signed lemon.markets event of about 1 KiB, like bench/hot-path.ts. */
function body(i: number): string {
  const base = {
    id: `evt_bench_calls_${String(i).padStart(6, "0")}`,
    type: "order.executed",
    created_at: "2026-12-01T21:00:00.000+00:00",
    context: { order: `ord_${i}`, note: "" },
  };
  const padding = 1024 - Buffer.byteLength(JSON.stringify(base));
  return JSON.stringify({ ...base, context: { ...base.context, note: "x".repeat(padding) } });
}

/** Runs `deliveries` through the bundle in a child process; resolves with the statuses answered. */
function deliverInChild(
  dir: string,
  bundle: string,
  env: Record<string, string>,
  deliveries: readonly string[],
): Promise<Record<string, number>> {
  const script = join(dir, "deliver.js");
  writeFileSync(
    script,
    `const { handler } = require(process.argv[2]);
const bodies = JSON.parse(require("node:fs").readFileSync(process.argv[3], "utf8"));
(async () => {
  const statuses = {};
  for (const [body, signature] of bodies) {
    const r = await handler({ version: "2.0", routeKey: "ANY /", rawPath: "/", rawQueryString: "",
      headers: { "content-type": "application/json", "lemon-markets-signature": signature },
      requestContext: { http: { method: "POST", path: "/" }, requestId: "bench" }, body, isBase64Encoded: false });
    statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
  }
  process.stdout.write(JSON.stringify(statuses));
})();`,
  );
  const input = join(dir, "bodies.json");
  writeFileSync(input, JSON.stringify(deliveries.map((b) => [b, sign(b, SECRET)])));
  return new Promise((resolve, reject) => {
    // Only the Lambda's own environment (plus PATH); the log lines go nowhere.
    const child = spawn(process.execPath, [script, bundle, input], {
      env: { ...env, PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const json = out.slice(out.lastIndexOf("{"));
      if (code === 0) resolve(JSON.parse(json) as Record<string, number>);
      else reject(new Error(`delivering through ${bundle} exited ${code}`));
    });
  });
}

const perEvent = (calls: readonly CallRecord[], events: number) => {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  for (const operation of Object.keys(counts))
    counts[operation] = Math.round(((counts[operation] ?? 0) / events) * 100) / 100;
  return counts;
};

/** `PutEvents` entries per event (one entry per event put, however the forwarder batched them). */
const entriesPerEvent = (calls: readonly CallRecord[], events: number) =>
  Math.round(
    (calls.filter((c) => c.operation === "PutEvents").reduce((n, c) => n + c.keys.length, 0) / events) * 100,
  ) / 100;

const counting = (target: string, service: "dynamodb" | "eventbridge") =>
  startFaultProxy({
    target,
    seed: 0,
    effects: service === "dynamodb" ? DYNAMODB_EFFECTS : EVENTBRIDGE_EFFECTS,
    throttle: service === "dynamodb" ? DYNAMODB_THROTTLE : EVENTBRIDGE_THROTTLE,
  });

/**
 * Counts the calls of the receiver bundle `receiverBundle` (and, with `forwarderBundle`, of the forwarder
 * on the local stream) for `events` new events and one duplicate of each.
 *
 * @example
 * const counts = await countCalls({ dir, receiverBundle, forwarderBundle, events: 20 });
 */
export async function countCalls(options: {
  readonly dir: string;
  readonly receiverBundle: string;
  readonly forwarderBundle?: string;
  readonly events: number;
}): Promise<CallCounts> {
  const [dynamo, eb, sm] = await Promise.all([
    startLocalDynamo(),
    startFakeEventBridge(),
    startFakeSecretsManager({ versions: [{ secret: SECRET, createdAt: new Date() }] }),
  ]);
  const stream = options.forwarderBundle === undefined ? undefined : await startLocalStream({ dynamo });
  const table = stream?.dynamo ?? dynamo;
  const proxies: FaultProxy[] = [];
  try {
    const [receiverDynamo, receiverBus, forwarderDynamo, forwarderBus] = await Promise.all([
      counting(table.endpoint, "dynamodb"),
      counting(eb.endpoint, "eventbridge"),
      counting(table.endpoint, "dynamodb"),
      counting(eb.endpoint, "eventbridge"),
    ]);
    proxies.push(receiverDynamo, receiverBus, forwarderDynamo, forwarderBus);
    const aws = {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    if (stream !== undefined && options.forwarderBundle !== undefined) {
      Object.assign(process.env, {
        ...aws,
        AWS_ENDPOINT_URL_DYNAMODB: forwarderDynamo.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: forwarderBus.endpoint,
        [FORWARDER_ENV_NAMES.table]: table.tableName,
        [FORWARDER_ENV_NAMES.eventBusName]: "lemon-webhooks-bench",
      });
      const forwarder = require(options.forwarderBundle) as { handler: Parameters<typeof stream.attach>[0] };
      // Deliveries are sequential; the stream batches whatever INSERTs arrived while the forwarder ran.
      stream.attach(forwarder.handler);
    }
    const env = {
      ...aws,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: receiverDynamo.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: receiverBus.endpoint,
      LEMON_SIGNATURE_SECRET_ARN: sm.arn,
      LEMON_DEDUPE_TABLE: table.tableName,
      // Read by the claim/lease design only (the store-first receiver has no bus).
      LEMON_EVENT_BUS_NAME: "lemon-webhooks-bench",
    };
    const bodies = Array.from({ length: options.events }, (_, i) => body(i));
    const fresh = await deliverInChild(options.dir, options.receiverBundle, env, bodies);
    const afterNew = [receiverDynamo.calls().length, receiverBus.calls().length] as const;
    const coldSecretCalls = sm.calls.length;
    // The duplicates come from a fresh container (a new child), so its cold GetSecretValue is not counted.
    const again = await deliverInChild(options.dir, options.receiverBundle, env, bodies);
    await stream?.idle();
    const phase = (from: "new" | "duplicate") =>
      [receiverDynamo.calls(), receiverBus.calls()].flatMap((calls, i) =>
        from === "new" ? calls.slice(0, afterNew[i]) : calls.slice(afterNew[i]),
      );
    const item = await dynamo.getItem(JSON.parse(bodies[0] ?? "{}").id);
    const statuses: Record<string, number> = { ...fresh };
    for (const [status, n] of Object.entries(again)) statuses[status] = (statuses[status] ?? 0) + n;
    return {
      newEvent: perEvent(phase("new"), options.events),
      duplicate: perEvent(phase("duplicate"), options.events),
      coldSecretCalls,
      forwarder: perEvent([...forwarderDynamo.calls(), ...forwarderBus.calls()], options.events),
      forwarderInvocations: stream === undefined ? 0 : stream.invocations() / options.events,
      putEventsEntries: entriesPerEvent([...receiverBus.calls(), ...forwarderBus.calls()], options.events),
      statuses,
      eventBytes: item === undefined ? 0 : Buffer.byteLength(JSON.stringify(item)),
    };
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all([eb.close(), sm.close()]);
    await (stream?.close() ?? dynamo.close());
  }
}
