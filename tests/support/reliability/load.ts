/**
 * The load-with-faults scenario, shared by `tests/reliability/load.test.ts` (CI size) and `npm run stress`
 * (scaled up). The lemon.markets emulator delivers N events, with duplicates and out of order, over 50
 * connections to the production receiver handler (`createHandler(buildAwsReceiver)`) behind the local API
 * Gateway, in this process. The AWS stand-ins run in their own process (stand-in-host.ts): dynalite, the fake
 * Secrets Manager and EventBridge, seeded fault proxies in front of DynamoDB and EventBridge that keep the
 * causal record, and the stream stand-in driving the production forwarder.
 *
 * Faults, all seeded: late answers (applied, answered only after the client gave up), resets after the
 * commit, throttling, partial `PutEvents` failures, a Secrets Manager outage and an EventBridge outage for a
 * stretch. The run ends at quiescence — every acknowledged event on the bus and nothing pending — or at a
 * generous cap, which is reported, never waited past. The causal oracle (oracle.ts) judges the result.
 */
import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { FORWARDER_CALL_TIMEOUT_MS } from "../../../lambda/forwarder";
import { buildAwsReceiver, createHandler } from "../../../lambda/receiver/handler";
import type { FaultRates, InjectedFault } from "../../../local/fault-proxy";
import { type HttpAdapter, startHttpAdapter } from "../../../local/http-adapter";
import { LOCAL_CREDENTIALS } from "../../../local/local-dynamo";
import { judge, type OracleVerdict } from "./oracle";
import type { HostSnapshot } from "./stand-in-host";
import { type StandIns, startStandIns } from "./stand-ins";
import { type LatencySummary, summarizeLatency } from "./stats";

/** Size and fault mix of one run. */
export interface LoadOptions {
  readonly events: number;
  /** Events emitted back to back before yielding to the event loop. */
  readonly burstSize: number;
  /** Pause between bursts, ms. */
  readonly burstGapMs: number;
  readonly seed: number;
  /** Share of deliveries the emulator sends twice. */
  readonly duplicateRate: number;
  /** Connections the emulator keeps busy at once. */
  readonly concurrency: number;
  /** Fault rates of the proxy in front of DynamoDB, by operation (`*` = any other). */
  readonly dynamoRates: Readonly<Record<string, FaultRates>>;
  /** Fault rates of the proxy in front of EventBridge. */
  readonly eventBridgeRates: Readonly<Record<string, FaultRates>>;
  /** Share of `PutEvents` calls EventBridge answers 200 with every entry failed (`FailedEntryCount`). */
  readonly eventBridgePartialRate: number;
  /**
   * Faults the first calls of an operation get for sure, before the random ones (which calls meet a random
   * fault depends on batching): so the ambiguous paths of the forwarder run in every run.
   */
  readonly forcedFaults: ReadonlyArray<{
    readonly service: "dynamodb" | "eventbridge";
    readonly operation: string;
    readonly faults: readonly InjectedFault[];
  }>;
  /** Length of the Secrets Manager outage, started once a third of the events are emitted. */
  readonly secretOutageMs: number;
  /** When the EventBridge outage (every PutEvents 500) starts, ms after the first emission: deliveries in full flow. */
  readonly eventBridgeOutageAtMs: number;
  /** Length of the EventBridge outage. */
  readonly eventBridgeOutageMs: number;
  /** Longest wait for quiescence after the last emission; reaching it is reported, not waited past. */
  readonly quiescenceCapMs: number;
}

/**
 * CI size: well under a minute on the shared 2-core machine. The receiver's PutItem gets late answers at 1 %
 * and resets at 0.5 %, every call is throttled at 3 %. On the forwarder's side (about 130 calls) the ambiguous
 * faults are forced instead: one late PutEvents, one reset PutEvents, one reset forwarded mark. A late answer
 * stalls the stream's one shard for the forwarder's 10 s call timeout, so random ones would make the run's
 * length a lottery. `npm run stress` adds them at 1 %.
 */
export const CI_LOAD: LoadOptions = {
  events: 1_000,
  burstSize: 100,
  burstGapMs: 25,
  seed: 20_261_201,
  duplicateRate: 0.2,
  concurrency: 50,
  dynamoRates: { PutItem: { late: 0.01, reset: 0.005, throttle: 0.03 }, "*": { throttle: 0.03 } },
  eventBridgeRates: { PutEvents: { throttle: 0.03 } },
  eventBridgePartialRate: 0.05,
  forcedFaults: [
    { service: "eventbridge", operation: "PutEvents", faults: ["late", "reset", "throttle"] },
    { service: "dynamodb", operation: "UpdateItem", faults: ["reset"] },
  ],
  secretOutageMs: 1_000,
  eventBridgeOutageAtMs: 2_000,
  eventBridgeOutageMs: 3_000,
  quiescenceCapMs: 60_000,
};

/**
 * An injected late answer is held past the longest client timeout (the forwarder's 10 s; the receiver gives up
 * after 3 s), so it is never delivered; a PutEvents answered later than `LATE_AFTER_MS` (the forwarder's
 * timeout minus slack) may have reached a forwarder that had already given up, so the oracle counts it too.
 */
const HOLD_MS = FORWARDER_CALL_TIMEOUT_MS + 2_000;
const LATE_AFTER_MS = FORWARDER_CALL_TIMEOUT_MS - 1_000;

/** Error codes the injected faults produce in the receiver's log (`dependency:errorCode`). */
export const INJECTED_ERROR_CODES: readonly string[] = [
  "dynamodb:ProvisionedThroughputExceededException",
  "secrets-manager:InternalServiceError",
];

/** Event types the scenario subscribes to and emits (round robin). */
export const LOAD_EVENT_TYPES = [
  "account.created",
  "order.created",
  "order.executed",
  "order.rejected",
  "withdrawal.created",
] as const;

/** What one run produced. */
export interface LoadReport {
  readonly events: number;
  /** Deliveries the emulator scheduled twice (`duplicateRate`). */
  readonly duplicates: number;
  /** Every POST the emulator made, retries included. */
  readonly attempts: number;
  /** Answers per delivery attempt: `"200"`, `"503"`, … or `"error:<code>"` (e.g. the emulator's 10 s timeout). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Injected faults: `PutItem late` → count, per proxy; outage calls; secrets faults. */
  readonly faults: {
    readonly dynamodb: Readonly<Record<string, number>>;
    readonly eventbridge: Readonly<Record<string, number>>;
    readonly eventBridgeOutage: number;
    readonly eventBridgePartial: number;
    readonly secrets: Readonly<Record<string, number>>;
    readonly total: number;
  };
  /** Event ids a PutEvents refused during the EventBridge outage (HTTP 500), and how many reached the bus after. */
  readonly outage: { readonly refused: number; readonly forwardedAfter: number };
  /** Calls abandoned by their client without an injected fault (natural timeouts), per proxy. */
  readonly abandoned: { readonly dynamodb: number; readonly eventbridge: number };
  readonly verdict: OracleVerdict;
  /** Emitted events never answered 200 (the emulator gave up or the cap hit): not losses, reported. */
  readonly notAcknowledged: readonly string[];
  /** Events the stream gave up on (its on-failure destination): stored, not forwarded, re-forwardable. */
  readonly givenUp: readonly string[];
  /** Entries on the bus that are no emitted event. */
  readonly unknownForwarded: number;
  readonly forwarded: number;
  /** 503s by cause (`dynamodb:timeout`, …): a figure, not an assertion. */
  readonly causesOf503: Readonly<Record<string, number>>;
  /** 503 log lines whose cause is neither injected, nor a timeout, nor a reset. */
  readonly unexplained503: readonly string[];
  readonly logged503: number;
  readonly logged500: number;
  /** The receiver's DynamoDB calls per acknowledged event, and its writes. */
  readonly dynamoCallsPerEvent: number;
  /** Stream stand-in counters (records handed over, retried, …). */
  readonly stream: Readonly<Record<string, number>>;
  readonly quiesced: boolean;
  /** Last emission to quiescence (or to the cap), ms. */
  readonly drainMs: number;
  readonly elapsedMs: number;
  readonly deliveriesPerSecond: number;
  /** Handler latency (the receiver's own `latencyMs`), ms. */
  readonly latency: LatencySummary;
}

interface DeliveryLog {
  readonly msg?: string;
  readonly status?: number;
  readonly latencyMs?: number;
  readonly dependency?: string;
  readonly errorCode?: string;
}

const API_KEY = DEFAULT_API_KEYS[0] ?? "lemon-emulator-key";
const ROUTE = "/webhooks/lemon-markets";

async function register(emulator: Emulator, url: string): Promise<string> {
  const response = await fetch(`${emulator.baseUrl}/webhooks`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${API_KEY}`,
      "content-type": "application/json",
      "LMG-Data-Privacy-Access-Principal": "reliability-suite",
      "LMG-Data-Privacy-Access-Justification": "load-test",
    },
    body: JSON.stringify({ url, events: LOAD_EVENT_TYPES }),
  });
  if (response.status !== 201)
    throw new Error(`registering the load webhook failed: HTTP ${response.status}`);
  return ((await response.json()) as { signature_secret: string }).signature_secret;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function acknowledgedIds(emulator: Emulator): Set<string> {
  return new Set(emulator.deliveries.filter((d) => d.status === 200).map((d) => d.eventId));
}

/** Quiet = the emulator idle, nothing held or in flight at the proxies, the stream drained, every 200 on the bus. */
function isQuiet(snapshot: HostSnapshot, acknowledged: ReadonlySet<string>): boolean {
  const { dynamodb, eventbridge, stream } = snapshot.pending;
  if (dynamodb + eventbridge + stream > 0) return false;
  const onBus = new Set(snapshot.bus);
  for (const id of acknowledged) if (!onBus.has(id)) return false;
  return true;
}

/**
 * Runs the scenario and returns its report; every server and the host process are closed afterwards, also
 * on failure.
 *
 * @example
 * const report = await runLoad(CI_LOAD);
 * console.log(summaryLine(report));
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const lines: string[] = [];
  let emulator: Emulator | undefined;
  let standIns: StandIns | undefined;
  let adapter: HttpAdapter | undefined;
  try {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: options.seed,
      delivery: {
        duplicateRate: options.duplicateRate,
        reorder: true,
        reorderWindowMs: 100,
        concurrency: options.concurrency,
        // Fast and patient: failures are retried within milliseconds, often enough that a run of faults
        // cannot exhaust a delivery; the 10 s attempt timeout is lemon.markets' own.
        baseDelayMs: 10,
        maxDelayMs: 500,
        maxAttempts: 100,
      },
    });
    standIns = await startStandIns({
      seed: options.seed,
      dynamoRates: {},
      eventBridgeRates: {},
      holdMs: HOLD_MS,
      forward: true,
    });
    const { endpoints } = standIns;
    const env = {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
      LEMON_SIGNATURE_SECRET_ARN: endpoints.secretArn,
      LEMON_DEDUPE_TABLE: endpoints.tableName,
      // A short cache, so the Secrets Manager outage is felt by requests instead of hidden by the cache.
      LEMON_SECRET_CACHE_SECONDS: "1",
    };
    const handler = createHandler(() =>
      buildAwsReceiver({ env, write: (line) => lines.push(line), clock: { now: () => Date.now() } }),
    );
    adapter = await startHttpAdapter({ handler, path: ROUTE });
    await standIns.putSecret(await register(emulator, adapter.url));
    await standIns.setRates({ dynamo: options.dynamoRates, eventbridge: options.eventBridgeRates });
    await standIns.eventBridgePartial(options.eventBridgePartialRate, options.seed + 2);

    const started = performance.now();
    let emitted = 0;
    let secretsOutage = false;
    /** Emits events up to `until` in bursts; the Secrets Manager outage starts at a third of all events. */
    const emitUpTo = async (until: number) => {
      while (emitted < until) {
        const burst = Math.min(options.burstSize, until - emitted);
        for (let i = 0; i < burst; i += 1) {
          const type = LOAD_EVENT_TYPES[(emitted + i) % LOAD_EVENT_TYPES.length] ?? "account.created";
          emulator?.emit(type, { account: `acc_${String(emitted + i).padStart(8, "0")}` });
        }
        emitted += burst;
        if (!secretsOutage && emitted >= options.events / 3) {
          secretsOutage = true;
          await standIns?.secretsOutage(options.secretOutageMs);
        }
        await sleep(options.burstGapMs);
      }
    };
    // A tail of events is kept back for the outage and for the forced faults, so both meet traffic however
    // fast the machine drained the rest.
    const tail = Math.max(10, Math.round(options.events * 0.05));
    await emitUpTo(options.events - 2 * tail);
    await sleep(Math.max(0, started + options.eventBridgeOutageAtMs - performance.now()));
    await standIns.eventBridgeOutage(options.eventBridgeOutageMs);
    await emitUpTo(options.events - tail);
    // The forced faults once the outage is over: a held answer during it would hide the outage from the
    // forwarder (the stream waits on the held call instead of retrying into the outage).
    await sleep(
      Math.max(0, started + options.eventBridgeOutageAtMs + options.eventBridgeOutageMs - performance.now()),
    );
    for (const { service, operation, faults } of options.forcedFaults)
      await standIns.force(service, operation, faults);
    await emitUpTo(options.events);
    const lastEmission = performance.now();
    const deadline = lastEmission + options.quiescenceCapMs;
    let quiesced = false;
    let snapshot = await standIns.snapshot();
    await emulator.waitForDeliveries(options.quiescenceCapMs).catch(() => undefined);
    while (performance.now() < deadline) {
      snapshot = await standIns.snapshot();
      if (isQuiet(snapshot, acknowledgedIds(emulator))) {
        quiesced = true;
        break;
      }
      await sleep(200);
    }
    const drainMs = performance.now() - lastEmission;
    const elapsedMs = performance.now() - started;
    const stored = await standIns.stored();
    return report({
      emulator,
      snapshot,
      stored: stored.map((item) => item.id),
      lines,
      quiesced,
      drainMs,
      elapsedMs,
    });
  } finally {
    await emulator?.close();
    await adapter?.close();
    await standIns?.close();
  }
}

function outageOf(snapshot: HostSnapshot): LoadReport["outage"] {
  const refused = new Set(
    snapshot.eventBridgeCalls
      .filter((call) => call.status === 500 && call.fault === undefined)
      .flatMap((call) => call.keys),
  );
  const onBus = new Set(snapshot.bus);
  return { refused: refused.size, forwardedAfter: [...refused].filter((id) => onBus.has(id)).length };
}

function tally(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function report(run: {
  readonly emulator: Emulator;
  readonly snapshot: HostSnapshot;
  readonly stored: readonly string[];
  readonly lines: readonly string[];
  readonly quiesced: boolean;
  readonly drainMs: number;
  readonly elapsedMs: number;
}): LoadReport {
  const { emulator, snapshot } = run;
  const events = emulator.events().map((event) => event.id);
  const acknowledged = acknowledgedIds(emulator);
  const verdict = judge({
    acknowledged,
    stored: new Set(run.stored),
    bus: snapshot.bus,
    putEventsCalls: snapshot.eventBridgeCalls.filter((call) => call.operation === "PutEvents"),
    quiesced: run.quiesced,
    lateAfterMs: LATE_AFTER_MS,
  });
  const statuses = tally(
    emulator.deliveries.map((a) => (a.status === undefined ? `error:${a.error}` : String(a.status))),
  );
  const deliveries = run.lines
    .map((line) => JSON.parse(line) as DeliveryLog)
    .filter((record) => record.msg === "delivery");
  const withStatus = (status: number) => deliveries.filter((record) => record.status === status);
  const causes = withStatus(503).map((record) => `${record.dependency}:${record.errorCode}`);
  const transport = (cause: string) => /:(timeout|deadline|network)$/.test(cause);
  const faultsOf = (calls: HostSnapshot["dynamoCalls"]) =>
    tally(calls.filter((c) => c.fault !== undefined).map((c) => `${c.operation} ${c.fault}`));
  const abandonedOf = (calls: HostSnapshot["dynamoCalls"]) =>
    calls.filter((c) => c.fault === undefined && !c.delivered && c.status !== undefined).length;
  const dynamodb = faultsOf(snapshot.dynamoCalls);
  const eventbridge = faultsOf(snapshot.eventBridgeCalls);
  const secrets = snapshot.injected.secrets;
  const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const emitted = new Set(events);
  const receiverPuts = snapshot.dynamoCalls.filter((c) => c.operation === "PutItem").length;
  return {
    events: events.length,
    duplicates: emulator.deliveries.filter((d) => d.duplicate && d.attempt === 1).length,
    attempts: emulator.deliveries.length,
    statuses,
    faults: {
      dynamodb,
      eventbridge,
      eventBridgeOutage: snapshot.injected.eventBridgeOutage,
      eventBridgePartial: snapshot.injected.eventBridgePartial,
      secrets,
      total:
        sum(dynamodb) +
        sum(eventbridge) +
        snapshot.injected.eventBridgeOutage +
        snapshot.injected.eventBridgePartial +
        sum(secrets),
    },
    outage: outageOf(snapshot),
    abandoned: {
      dynamodb: abandonedOf(snapshot.dynamoCalls),
      eventbridge: abandonedOf(snapshot.eventBridgeCalls),
    },
    verdict,
    notAcknowledged: events.filter((id) => !acknowledged.has(id)),
    givenUp: snapshot.givenUp,
    unknownForwarded: snapshot.bus.filter((id) => !emitted.has(id)).length,
    forwarded: snapshot.bus.length,
    causesOf503: tally(causes),
    unexplained503: causes.filter((cause) => !INJECTED_ERROR_CODES.includes(cause) && !transport(cause)),
    logged503: withStatus(503).length,
    logged500: withStatus(500).length,
    dynamoCallsPerEvent: acknowledged.size === 0 ? 0 : receiverPuts / acknowledged.size,
    stream: snapshot.stream,
    quiesced: run.quiesced,
    drainMs: run.drainMs,
    elapsedMs: run.elapsedMs,
    deliveriesPerSecond: (emulator.deliveries.length / run.elapsedMs) * 1000,
    latency: summarizeLatency(deliveries.map((record) => record.latencyMs ?? 0)),
  };
}

const counts = (record: Readonly<Record<string, number>>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key}×${n}`)
    .join(", ") || "none";

/** One line with the figures docs/reliability.md records; printed by the CI run and by `npm run stress`. */
export function summaryLine(r: LoadReport): string {
  const v = r.verdict;
  return (
    `load: ${r.events} events, ${r.duplicates} duplicates, ${r.attempts} deliveries (${counts(r.statuses)}); ` +
    `${r.faults.total} faults injected (dynamodb: ${counts(r.faults.dynamodb)}; eventbridge: ${counts(r.faults.eventbridge)}, ` +
    `all entries failed ×${r.faults.eventBridgePartial}, outage ${r.faults.eventBridgeOutage} calls refusing ${r.outage.refused} events, ${r.outage.forwardedAfter} of them forwarded after it; secrets: ${counts(r.faults.secrets)}); ` +
    `abandoned by the client without a fault: dynamodb ${r.abandoned.dynamodb}, eventbridge ${r.abandoned.eventbridge}; ` +
    `lost ${v.lost.length}, unfinished ${v.unfinished.length}, 200 but not stored ${v.acknowledgedNotStored.length}, ` +
    `doubles ${v.allowedDoubles.length + v.unexplainedDoubles.length} (causally allowed ${v.allowedDoubles.length}, ` +
    `unexplained ${v.unexplainedDoubles.length}; applied puts unacknowledged ${v.unacknowledgedPuts}, late ${v.latePuts}), ` +
    `never acknowledged ${r.notAcknowledged.length}, sent to the failure queue ${r.givenUp.length}, 500s ${r.logged500}, 503s by cause (${counts(r.causesOf503)}), ` +
    `unexplained 503s ${r.unexplained503.length}; ${r.dynamoCallsPerEvent.toFixed(2)} receiver PutItem per event; ` +
    `${r.deliveriesPerSecond.toFixed(0)} deliveries/s, handler latency p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms; ` +
    `${r.quiesced ? "quiescent" : "NOT quiescent (cap reached)"} ${(r.drainMs / 1000).toFixed(1)} s after the last emission ` +
    `(${(r.elapsedMs / 1000).toFixed(1)} s)`
  );
}
