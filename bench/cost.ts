/**
 * Cost per million deliveries, old design (claim/lease: forward before the 200) vs new (store first, forward
 * from the stream), from the calls bench/calls.ts counted, the component's Lambda settings and eu-central-1
 * list prices. Pure: bench/run.ts prints the result into docs/benchmarks.md.
 */
import type { CallCounts } from "./calls";

/** One list price, where it comes from, and whether this session could read the eu-central-1 figure. */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
  readonly note: string;
}

/** Date the price sources were consulted. */
export const PRICES_READ_ON = "2026-12-01";

/**
 * eu-central-1 (Frankfurt) list prices, pay as you go, no free tier, first pricing tier. The AWS pricing
 * pages render the per-region figure with a region selector; where the text this session could read shows
 * only US East, the Frankfurt figure is the one last published for the region and marked "re-check".
 */
export const PRICES = {
  httpApiRequest: {
    usd: 1.2 / 1e6,
    per: "HTTP API request (first 300 M a month, ≤ 512 KB each)",
    source: "https://aws.amazon.com/api-gateway/pricing/",
    note: "re-check: the page text read shows the free tier and metering only (US East lists $1.00)",
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: "Lambda request",
    source: "https://aws.amazon.com/lambda/pricing/",
    note: "same in every commercial region",
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: "Lambda GB-second, arm64 (first 7.5 B GB-s a month)",
    source: "https://aws.amazon.com/lambda/pricing/",
    note: "re-check: page examples read are US East; Frankfurt has listed the same rate",
  },
  dynamoWriteRequestUnit: {
    usd: 0.7625 / 1e6,
    per: "DynamoDB on-demand write request unit (≤ 1 KB; a failed conditional write consumes one too)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    note: "re-check: page text read shows US East ($0.625 per million since Nov 2024)",
  },
  dynamoReadRequestUnit: {
    usd: 0.1525 / 1e6,
    per: "DynamoDB on-demand read request unit (strongly consistent read ≤ 4 KB)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    note: "re-check: page text read shows US East ($0.125 per million)",
  },
  dynamoStreamReadForLambda: {
    usd: 0,
    per: "DynamoDB Streams read request by a Lambda trigger (GetRecords)",
    source:
      "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html",
    note: "read: “Read requests made by AWS Lambda-based consumers of DynamoDB Streams are free”",
  },
  putEventsEntry: {
    usd: 1 / 1e6,
    per: "EventBridge custom event published (each 64 KB chunk of an entry counts as one)",
    source: "https://aws.amazon.com/eventbridge/pricing/",
    note: "re-check: the same $1.00 per million is listed for every commercial region",
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: "SQS standard request (the failure queue; only a record the forwarder gives up on)",
    source: "https://aws.amazon.com/sqs/pricing/",
    note: "re-check; no request on the normal path, so it adds nothing per million deliveries",
  },
} as const satisfies Record<string, Price>;

/** Assumed in-region latency of one call (the local stand-ins say nothing about AWS latency), ms. */
export const ASSUMED_CALL_MS: Readonly<Record<string, number>> = {
  PutItem: 8,
  UpdateItem: 8,
  DeleteItem: 8,
  GetItem: 5,
  BatchGetItem: 6,
  PutEvents: 20,
};
/** Own CPU per invocation (verify, parse, log), ms: bench/hot-path.ts measures far less; rounded up. */
export const ASSUMED_CPU_MS = 3;
/** Memory of both functions (components/receiver/args.ts, components/receiver/forwarder.ts), GB. */
export const MEMORY_GB = 256 / 1024;

/** One design's per-event resource use and its cost per million deliveries. */
export interface CostRow {
  readonly design: string;
  readonly apiRequests: number;
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly putEventsEntries: number;
  /** USD per million deliveries, by line and in total. */
  readonly usd: {
    readonly api: number;
    readonly lambda: number;
    readonly dynamodb: number;
    readonly eventbridge: number;
    readonly total: number;
  };
}

const WRITES = ["PutItem", "UpdateItem", "DeleteItem"];

/** Sequential duration of one invocation making `calls` (operation → count), ms. */
function durationMs(calls: Readonly<Record<string, number>>, parallel: readonly string[] = []): number {
  let ms = ASSUMED_CPU_MS;
  for (const [operation, count] of Object.entries(calls)) {
    const each = ASSUMED_CALL_MS[operation] ?? 10;
    // Calls made at once (the forwarder's marks) cost one latency, however many there are.
    ms += parallel.includes(operation) ? each : each * count;
  }
  return ms;
}

/** Calls per invocation of the forwarder: all but the per-event marks scale with the invocations. */
const PER_EVENT_FORWARDER_CALLS = ["UpdateItem"];

/**
 * The cost of one design per million deliveries of new events, from its measured calls per event, with the
 * forwarder invoked for `eventsPerBatch` events at a time (1: the low-traffic worst case; 10: full batches).
 * `itemBytes` (default: the measured item of a 1 KiB event) sizes the write units: a write of an item over
 * 1 KB costs one unit per started KB.
 *
 * @example
 * const row = costOf("store first", counts, 1);
 */
export function costOf(
  design: string,
  counts: CallCounts,
  eventsPerBatch: number,
  itemBytes: number = counts.eventBytes,
): CostRow {
  const unitsPerWrite = Math.max(1, Math.ceil(itemBytes / 1024));
  const receiverCalls = counts.newEvent;
  const invocations = counts.forwarderInvocations === 0 ? 0 : 1 / eventsPerBatch;
  const forwarderCalls = Object.fromEntries(
    Object.entries(counts.forwarder).map(([operation, n]) => [
      operation,
      PER_EVENT_FORWARDER_CALLS.includes(operation) ? n : (n / counts.forwarderInvocations) * invocations,
    ]),
  );
  const writes = (calls: Readonly<Record<string, number>>) =>
    WRITES.reduce((n, op) => n + (calls[op] ?? 0), 0);
  // A consistent BatchGetItem costs one unit per item read (≤ 4 KB), so one per event however it is batched.
  const reads = (calls: Readonly<Record<string, number>>) =>
    (calls.GetItem ?? 0) + ((calls.BatchGetItem ?? 0) > 0 ? 1 : 0);
  const writeUnits = (writes(receiverCalls) + writes(forwarderCalls)) * unitsPerWrite;
  const readUnits = reads(receiverCalls) + reads(forwarderCalls);
  const receiverSeconds = durationMs(receiverCalls) / 1000;
  // One invocation's calls: its share of the per-invocation calls, and its batch's marks (made at once).
  const perInvocation = Object.fromEntries(
    Object.entries(forwarderCalls).map(([operation, n]) => [
      operation,
      invocations === 0 ? 0 : n / invocations,
    ]),
  );
  const forwarderSeconds =
    invocations === 0 ? 0 : durationMs(perInvocation, PER_EVENT_FORWARDER_CALLS) / 1000;
  const lambdaRequests = 1 + invocations;
  const lambdaGbSeconds = (receiverSeconds + forwarderSeconds * invocations) * MEMORY_GB;
  // One entry per event put, however the forwarder batched them (EventBridge bills entries, not calls).
  const putEventsEntries = counts.putEventsEntries;
  const million = 1e6;
  const api = PRICES.httpApiRequest.usd * million;
  const lambda =
    (lambdaRequests * PRICES.lambdaRequest.usd + lambdaGbSeconds * PRICES.lambdaArmGbSecond.usd) * million;
  const dynamodb =
    (writeUnits * PRICES.dynamoWriteRequestUnit.usd + readUnits * PRICES.dynamoReadRequestUnit.usd) * million;
  const eventbridge = putEventsEntries * PRICES.putEventsEntry.usd * million;
  return {
    design,
    apiRequests: 1,
    lambdaRequests,
    lambdaGbSeconds,
    writeUnits,
    readUnits,
    putEventsEntries,
    usd: { api, lambda, dynamodb, eventbridge, total: api + lambda + dynamodb + eventbridge },
  };
}
