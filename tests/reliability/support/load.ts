/**
 * The load-with-faults scenario, shared by `tests/reliability/load.test.ts` (CI size) and `npm run stress`
 * (scaled up): the lemon.markets emulator delivers N events, with duplicates and out of order, over 50
 * connections to the real receiver handler behind the local API Gateway, while its dependencies fail:
 * EventBridge (whole-call and partial `PutEvents` failures), DynamoDB (throttling, via a proxy in front of
 * dynalite) and Secrets Manager (an outage for a stretch). The report says what reached the bus.
 */
import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { buildAwsReceiver, createHandler } from "../../../lambda/handler";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type HttpAdapter,
  type LocalDynamo,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startHttpAdapter,
  startLocalDynamo,
} from "../../../lambda/local";
import { type LatencySummary, summarizeLatency } from "./stats";
import { startThrottleProxy, type ThrottleProxy } from "./throttle-proxy";

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
  /** Share of `PutEvents` calls that fail (half whole-call, half partial). */
  readonly sinkFaultRate: number;
  /** Share of DynamoDB calls throttled. */
  readonly dedupeThrottleRate: number;
  /** Length of the Secrets Manager outage, started once a third of the events are emitted. */
  readonly secretOutageMs: number;
}

/** CI size: the whole reliability directory must stay within about two minutes on a loaded 2-core box. */
export const CI_LOAD: LoadOptions = {
  events: 2_000,
  burstSize: 100,
  burstGapMs: 25,
  seed: 20_240_607,
  duplicateRate: 0.2,
  concurrency: 50,
  sinkFaultRate: 0.1,
  dedupeThrottleRate: 0.05,
  secretOutageMs: 1_500,
};

/** Error codes the injected faults produce in the receiver's log (`dependency:errorCode`). */
export const INJECTED_ERROR_CODES: readonly string[] = [
  "eventbridge:InternalException",
  "eventbridge:InternalFailure",
  "dynamodb:ProvisionedThroughputExceededException",
  "secrets-manager:InternalServiceError",
];

/**
 * Causes that are real but not injected: a connection reset (e.g. a keep-alive socket the server closed just
 * as it was reused) or a 3 s call timeout under load. They are answered 503 and retried like any other
 * dependency failure, so they are allowed, and counted separately.
 */
export const TRANSPORT_ERROR_CODES: readonly string[] = ["network", "timeout"];

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
  /** Final answers per delivery attempt: `"200"`, `"409"`, `"503"`, … or `"error:<code>"`. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly faults: {
    readonly sink: Readonly<Record<string, number>>;
    readonly dedupe: Readonly<Record<string, number>>;
    readonly secrets: Readonly<Record<string, number>>;
    readonly total: number;
  };
  /** Emitted event ids never seen on the bus. */
  readonly lost: readonly string[];
  /** Event ids on the bus more than once. */
  readonly doubleForwarded: readonly string[];
  /** Entries on the bus (all of them, duplicates included). */
  readonly forwarded: number;
  /** Entries on the bus that are no emitted event. */
  readonly unknownForwarded: number;
  /** Receiver log lines answering 503 whose cause is neither an injected fault nor a transport error. */
  readonly unexplained503: readonly string[];
  /** Receiver log lines answering 503 for a connection reset (`<dependency>:network`). */
  readonly network503: readonly string[];
  /**
   * Receiver log lines answering 503 because a dependency call hit its timeout (`<dependency>:timeout`).
   * Reported on their own: a timed-out `PutEvents` may have been accepted, so unlike a reset it can double.
   */
  readonly timeout503: readonly string[];
  /** Receiver log lines with status 503, and with status 409. */
  readonly logged503: number;
  readonly logged409: number;
  /** Receiver log lines with status 500. */
  readonly logged500: number;
  readonly elapsedMs: number;
  /** Delivery attempts answered (any status) per second, and events forwarded per second. */
  readonly deliveriesPerSecond: number;
  readonly forwardedPerSecond: number;
  /** Handler latency (the receiver's own `latencyMs`), ms. */
  readonly latency: LatencySummary;
}

interface DeliveryLog {
  readonly status?: number;
  readonly latencyMs?: number;
  readonly dependency?: string;
  readonly errorCode?: string;
}

const API_KEY = DEFAULT_API_KEYS[0] ?? "lemon-emulator-key";
const ROUTE = "/webhooks/lemon-markets";

/** The running pieces of one run; closed by {@link runLoad} in every case. */
interface Rig {
  emulator?: Emulator;
  sm?: FakeSecretsManager;
  eb?: FakeEventBridge;
  dynamo?: LocalDynamo;
  proxy?: ThrottleProxy;
  adapter?: HttpAdapter;
}

async function closeRig(rig: Rig): Promise<void> {
  await rig.emulator?.close();
  await Promise.all([rig.adapter?.close(), rig.sm?.close(), rig.eb?.close(), rig.proxy?.close()]);
  await rig.dynamo?.close();
}

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

/**
 * Runs the scenario and returns its report; every server is closed afterwards, also on failure.
 *
 * @example
 * const report = await runLoad(CI_LOAD);
 * console.log(summaryLine(report));
 */
export async function runLoad(options: LoadOptions, waitMs = 90_000): Promise<LoadReport> {
  const rig: Rig = {};
  const lines: string[] = [];
  try {
    rig.emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: options.seed,
      delivery: {
        duplicateRate: options.duplicateRate,
        reorder: true,
        reorderWindowMs: 100,
        concurrency: options.concurrency,
        // Fast and patient: failures are retried within milliseconds, and often enough that a run of
        // injected faults (p = 0.1 each) cannot exhaust a delivery.
        baseDelayMs: 10,
        maxDelayMs: 250,
        maxAttempts: 60,
      },
    });
    [rig.sm, rig.eb, rig.dynamo] = await Promise.all([
      startFakeSecretsManager({ versions: [] }),
      startFakeEventBridge(),
      startLocalDynamo(),
    ]);
    rig.proxy = await startThrottleProxy({
      target: rig.dynamo.endpoint,
      rate: options.dedupeThrottleRate,
      seed: options.seed + 1,
    });
    const env = {
      ...localReceiverEnv({
        secretsManager: rig.sm,
        eventBridge: rig.eb,
        dynamo: { ...rig.dynamo, endpoint: rig.proxy.endpoint },
      }),
      // A short cache, so the Secrets Manager outage is felt by requests instead of hidden by the cache.
      LEMON_SECRET_CACHE_SECONDS: "1",
    };
    const handler = createHandler(() =>
      buildAwsReceiver({ env, write: (line) => lines.push(line), clock: { now: () => Date.now() } }),
    );
    rig.adapter = await startHttpAdapter({ handler, path: ROUTE });
    rig.sm.putSecretValue(await register(rig.emulator, rig.adapter.url));

    rig.eb.failRandomly({
      rate: options.sinkFaultRate,
      kinds: ["unavailable", "partial"],
      seed: options.seed + 2,
    });
    const started = performance.now();
    let emitted = 0;
    let outageStarted = false;
    while (emitted < options.events) {
      const burst = Math.min(options.burstSize, options.events - emitted);
      for (let i = 0; i < burst; i += 1) {
        const type = LOAD_EVENT_TYPES[(emitted + i) % LOAD_EVENT_TYPES.length] ?? "account.created";
        rig.emulator.emit(type, { account: `acc_${String(emitted + i).padStart(8, "0")}` });
      }
      emitted += burst;
      if (!outageStarted && emitted >= options.events / 3) {
        outageStarted = true;
        rig.sm.failFor(options.secretOutageMs, "unavailable");
      }
      await sleep(options.burstGapMs);
    }
    await rig.emulator.waitForDeliveries(waitMs);
    const elapsedMs = performance.now() - started;
    return report(rig as Required<Rig>, lines, elapsedMs);
  } finally {
    await closeRig(rig);
  }
}

function report(rig: Required<Rig>, lines: readonly string[], elapsedMs: number): LoadReport {
  const events = rig.emulator.events().map((event) => event.id);
  const onBus = new Map<string, number>();
  for (const entry of rig.eb.entries) {
    const id = (JSON.parse(entry.detail) as { id: string }).id;
    onBus.set(id, (onBus.get(id) ?? 0) + 1);
  }
  const emittedIds = new Set(events);
  const statuses: Record<string, number> = {};
  for (const attempt of rig.emulator.deliveries) {
    const key = attempt.status === undefined ? `error:${attempt.error}` : String(attempt.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const deliveries = lines
    .map((line) => JSON.parse(line) as DeliveryLog & { msg?: string; _aws?: unknown })
    .filter((record) => record.msg === "delivery");
  const withStatus = (status: number) => deliveries.filter((record) => record.status === status);
  const causesOf503 = withStatus(503).map((record) => `${record.dependency}:${record.errorCode}`);
  const isTransport = (cause: string) => TRANSPORT_ERROR_CODES.some((code) => cause.endsWith(`:${code}`));
  const unexplained503 = causesOf503.filter(
    (cause) => !INJECTED_ERROR_CODES.includes(cause) && !isTransport(cause),
  );
  const network503 = causesOf503.filter((cause) => cause.endsWith(":network"));
  const timeout503 = causesOf503.filter((cause) => cause.endsWith(":timeout"));
  const sink = rig.eb.injectedFaults();
  const dedupe = rig.proxy.throttled();
  const secrets = rig.sm.injectedFaults();
  const sum = (counts: Readonly<Record<string, number | undefined>>) =>
    Object.values(counts).reduce<number>((total, n) => total + (n ?? 0), 0);
  const forwarded = rig.eb.entries.length;
  return {
    events: events.length,
    duplicates: rig.emulator.deliveries.filter((d) => d.duplicate && d.attempt === 1).length,
    attempts: rig.emulator.deliveries.length,
    statuses,
    faults: { sink, dedupe, secrets, total: sum(sink) + sum(dedupe) + sum(secrets) },
    forwarded,
    lost: events.filter((id) => !onBus.has(id)),
    doubleForwarded: [...onBus].filter(([, count]) => count > 1).map(([id]) => id),
    unknownForwarded: [...onBus.keys()].filter((id) => !emittedIds.has(id)).length,
    unexplained503,
    network503,
    timeout503,
    logged503: withStatus(503).length,
    logged409: withStatus(409).length,
    logged500: withStatus(500).length,
    elapsedMs,
    deliveriesPerSecond: (rig.emulator.deliveries.length / elapsedMs) * 1000,
    forwardedPerSecond: (forwarded / elapsedMs) * 1000,
    latency: summarizeLatency(deliveries.map((record) => record.latencyMs ?? 0)),
  };
}

/** ` (dynamodb:timeout×2, …)` for a non-empty list of causes, "" otherwise. */
function causes(list: readonly string[]): string {
  if (list.length === 0) return "";
  const counts = new Map<string, number>();
  for (const cause of list) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  return ` (${[...counts].map(([cause, n]) => `${cause}×${n}`).join(", ")})`;
}

/** One line with the figures docs/reliability.md records; printed by the CI run and by `npm run stress`. */
export function summaryLine(r: LoadReport): string {
  const statuses = Object.entries(r.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  return (
    `load: ${r.events} events, ${r.duplicates} duplicates, ${r.attempts} deliveries (${statuses}), ` +
    `${r.faults.total} faults injected (sink ${JSON.stringify(r.faults.sink)}, dedupe ${JSON.stringify(r.faults.dedupe)}, ` +
    `secrets ${JSON.stringify(r.faults.secrets)}); lost ${r.lost.length}, double-forwarded ${r.doubleForwarded.length}, ` +
    `500s ${r.logged500}, 503s from connection resets ${r.network503.length}${causes(r.network503)}, ` +
    `503s from call timeouts ${r.timeout503.length}${causes(r.timeout503)}, ` +
    `503s without a cause ${r.unexplained503.length}${causes(r.unexplained503)}; ` +
    `${r.deliveriesPerSecond.toFixed(0)} deliveries/s, ${r.forwardedPerSecond.toFixed(0)} events/s, ` +
    `handler latency p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms (${(r.elapsedMs / 1000).toFixed(1)} s)`
  );
}
