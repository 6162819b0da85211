/**
 * The local AWS stand-ins of the load scenario in their OWN process (forked by stand-ins.ts), so a starved
 * test process does not starve them: dynalite, fake Secrets Manager, fake EventBridge, the fault proxies in
 * front of DynamoDB and EventBridge (the causal record), and the stream stand-in driving the production
 * forwarder. They speak the real AWS JSON protocols over 127.0.0.1; the parent drives them over IPC.
 *
 * Protocol: the parent sends `{ id, op, args }`, this process answers `{ id, ok, value | error }`. It exits
 * when told `stop` or when the parent goes away.
 */
import { type FakeEventBridge, startFakeEventBridge } from "../../local/fake-event-bridge";
import { type FakeSecretsManager, startFakeSecretsManager } from "../../local/fake-secrets-manager";
import {
  type CallRecord,
  DYNAMODB_EFFECTS,
  DYNAMODB_THROTTLE,
  EVENTBRIDGE_EFFECTS,
  EVENTBRIDGE_THROTTLE,
  type FaultProxy,
  type FaultRates,
  type InjectedFault,
  startFaultProxy,
} from "../../local/fault-proxy";
import { type LocalDynamo, startLocalDynamo } from "../../local/local-dynamo";
import { type Forwarding, startForwarding } from "./forwarding";
import { storedEvents } from "./table";

/** What `start` takes. */
export interface HostStartOptions {
  readonly seed: number;
  /** Fault rates of the proxy in front of DynamoDB, by operation (`*` = any other). */
  readonly dynamoRates: Readonly<Record<string, FaultRates>>;
  /** Fault rates of the proxy in front of EventBridge. */
  readonly eventBridgeRates: Readonly<Record<string, FaultRates>>;
  /** Longest hold of an injected late answer. */
  readonly holdMs: number;
  /** Run the stream stand-in and the forwarder (the store-first design). */
  readonly forward: boolean;
}

/** What `start` answers. */
export interface HostEndpoints {
  /** Through the DynamoDB fault proxy. */
  readonly dynamodb: string;
  /** Through the EventBridge fault proxy. */
  readonly eventbridge: string;
  readonly secretsManager: string;
  readonly secretArn: string;
  readonly tableName: string;
  readonly eventBusName: string;
}

/** What `snapshot` answers. */
export interface HostSnapshot {
  /** `detail.id` of every bus entry, in acceptance order. */
  readonly bus: readonly string[];
  readonly eventBridgeCalls: readonly CallRecord[];
  readonly dynamoCalls: readonly CallRecord[];
  /** Calls the proxies hold or have in flight; `stream` is 1 while the stream still owes the forwarder records. */
  readonly pending: { readonly dynamodb: number; readonly eventbridge: number; readonly stream: number };
  /** Event ids of the PutEvents calls in flight (a held late answer included). */
  readonly puttingNow: readonly string[];
  readonly injected: {
    readonly eventBridgeOutage: number;
    /** PutEvents answered 200 with every entry failed (`FailedEntryCount`). */
    readonly eventBridgePartial: number;
    readonly secrets: Readonly<Record<string, number>>;
  };
  readonly stream: Readonly<Record<string, number>>;
  /** Event ids the stream gave up on (its on-failure destination). */
  readonly givenUp: readonly string[];
}

const EVENT_BUS = "lemon-webhooks-local";

interface Rig {
  dynamo?: LocalDynamo;
  eb?: FakeEventBridge;
  sm?: FakeSecretsManager;
  dynamoProxy?: FaultProxy;
  ebProxy?: FaultProxy;
  forwarding?: Forwarding;
}
const rig: Rig = {};

async function start(options: HostStartOptions): Promise<HostEndpoints> {
  [rig.dynamo, rig.eb, rig.sm] = await Promise.all([
    startLocalDynamo(),
    startFakeEventBridge(),
    startFakeSecretsManager({ versions: [] }),
  ]);
  if (options.forward) {
    rig.forwarding = await startForwarding({ dynamo: rig.dynamo, eventBusName: EVENT_BUS });
  }
  [rig.dynamoProxy, rig.ebProxy] = await Promise.all([
    startFaultProxy({
      target: rig.forwarding?.endpoint ?? rig.dynamo.endpoint,
      seed: options.seed,
      rates: options.dynamoRates,
      effects: DYNAMODB_EFFECTS,
      throttle: DYNAMODB_THROTTLE,
      holdMs: options.holdMs,
    }),
    startFaultProxy({
      target: rig.eb.endpoint,
      seed: options.seed + 1,
      rates: options.eventBridgeRates,
      effects: EVENTBRIDGE_EFFECTS,
      throttle: EVENTBRIDGE_THROTTLE,
      holdMs: options.holdMs,
    }),
  ]);
  rig.forwarding?.attach({ dynamodb: rig.dynamoProxy.endpoint, eventbridge: rig.ebProxy.endpoint });
  return {
    dynamodb: rig.dynamoProxy.endpoint,
    eventbridge: rig.ebProxy.endpoint,
    secretsManager: rig.sm.endpoint,
    secretArn: rig.sm.arn,
    tableName: rig.dynamo.tableName,
    eventBusName: EVENT_BUS,
  };
}

async function snapshot(): Promise<HostSnapshot> {
  const { eb, ebProxy, dynamoProxy, sm } = rig;
  if (eb === undefined || ebProxy === undefined || dynamoProxy === undefined || sm === undefined)
    throw new Error("not started");
  return {
    bus: eb.entries.map((entry) => String((JSON.parse(entry.detail) as { id?: unknown }).id)),
    eventBridgeCalls: ebProxy.calls(),
    dynamoCalls: dynamoProxy.calls(),
    pending: {
      dynamodb: dynamoProxy.pending(),
      eventbridge: ebProxy.pending(),
      stream: rig.forwarding === undefined || (await rig.forwarding.idle()) ? 0 : 1,
    },
    puttingNow: ebProxy.pendingKeys(),
    injected: {
      eventBridgeOutage: eb.injectedFaults().unavailable ?? 0,
      eventBridgePartial: eb.injectedFaults().partial ?? 0,
      secrets: { ...sm.injectedFaults() },
    },
    stream: rig.forwarding?.counters() ?? {},
    givenUp: rig.forwarding?.givenUp() ?? [],
  };
}

async function stop(): Promise<void> {
  await Promise.all([rig.dynamoProxy?.close(), rig.ebProxy?.close(), rig.eb?.close(), rig.sm?.close()]);
  // The stream closes the local DynamoDB behind it.
  await (rig.forwarding?.close() ?? rig.dynamo?.close());
}

/** Secrets Manager calls that fail after its outage's stretch, so the outage meets at least this many. */
const OUTAGE_TAIL_CALLS = 2;

type Args = Record<string, unknown>;
const operations: Readonly<Record<string, (args: Args) => unknown>> = {
  start: (args) => start(args as unknown as HostStartOptions),
  putSecret: (args) => rig.sm?.putSecretValue(String(args.secret)),
  // An outage of `ms`, and the first OUTAGE_TAIL_CALLS calls after it fail too: felt whatever the machine's
  // speed (a stretch alone can pass without a single fetch on a starved machine: the secret is cached 1 s).
  secretsOutage: (args) => {
    rig.sm?.failFor(Number(args.ms), "unavailable");
    rig.sm?.failNext(OUTAGE_TAIL_CALLS, "unavailable");
  },
  // A stretch only: the forwarder retries into it while the stream has a backlog, and queued failures after it
  // would swallow the forced ambiguous PutEvents (a held call that EventBridge then refuses applies nothing).
  eventBridgeOutage: (args) => rig.eb?.failFor(Number(args.ms), "unavailable"),
  eventBridgePartial: (args) =>
    rig.eb?.failRandomly({ rate: Number(args.rate), kinds: ["partial"], seed: Number(args.seed) }),
  setRates: (args) => {
    rig.dynamoProxy?.setRates((args.dynamo ?? {}) as Record<string, FaultRates>);
    rig.ebProxy?.setRates((args.eventbridge ?? {}) as Record<string, FaultRates>);
  },
  force: (args) => {
    const proxy = args.service === "eventbridge" ? rig.ebProxy : rig.dynamoProxy;
    const key = typeof args.key === "string" ? args.key : undefined;
    proxy?.force(String(args.operation), args.faults as InjectedFault[], key);
  },
  snapshot: () => snapshot(),
  stored: () => (rig.dynamo === undefined ? [] : storedEvents(rig.dynamo.endpoint, rig.dynamo.tableName)),
  stop: async () => {
    await stop();
    setImmediate(() => process.exit(0));
  },
};

process.on("message", (message: { id: number; op: string; args?: Args }) => {
  const operation = operations[message.op];
  Promise.resolve()
    .then(() => {
      if (operation === undefined) throw new Error(`unknown operation ${message.op}`);
      return operation(message.args ?? {});
    })
    .then(
      (value) => process.send?.({ id: message.id, ok: true, value }),
      (error: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.stack : String(error),
        }),
    );
});
process.on("disconnect", () => {
  stop().finally(() => process.exit(0));
});
process.send?.({ id: 0, ok: true, value: "ready" });
