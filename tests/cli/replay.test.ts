/**
 * `lemon-webhooks replay` end to end on the local stand-ins: the fake EventBridge (archive, rules, replays)
 * and dynalite as the events table. Events are stored and forwarded with the production adapters, so the
 * archive holds what the forwarder put on the bus; the command then replays a window of it.
 */
import { runCli } from "../../cli/main";
import { eventsInWindow, REPLAY_POLL_MS, REPLAY_WARNING, replayNameAt } from "../../cli/replay";
import { REPLAY_EXIT } from "../../cli/replay-args";
import { EVENT_SOURCE, type NewStoredEvent } from "../../contract/events-table";
import { awsJsonClient } from "../../lambda/aws";
import { readAwsEnvironment } from "../../lambda/aws/environment";
import { EventBridgePublisher } from "../../lambda/aws/event-sink";
import { DynamoDbEventStore, markForwarded } from "../../lambda/aws/event-store";
import type { AwsJsonClient } from "../../lambda/aws/json-client";
import {
  type FakeEventBridge,
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  startFakeEventBridge,
  startLocalDynamo,
} from "../../local";

const NOW_MS = Date.parse("2026-12-01T20:00:00Z");
const DAY_MS = 86_400_000;
const ACCOUNT = "123456789012";
const BUS = "lemon-bus-0a1b2c3";
const BUS_ARN = `arn:aws:events:eu-central-1:${ACCOUNT}:event-bus/${BUS}`;
const ARCHIVE = "lemon-archive-0a1b2c3";
const ORDERS_RULE = `arn:aws:events:eu-central-1:${ACCOUNT}:rule/${BUS}/lemon-orders-rule-0a1b2c3`;
const AUDIT_RULE = `arn:aws:events:eu-central-1:${ACCOUNT}:rule/${BUS}/lemon-audit-rule-0a1b2c3`;
const REPLAY_NAME = "lemon-webhooks-replay-dev-20261201T200000Z";
const FROM = "2026-12-01T18:00:00Z";
const TO = "2026-12-01T19:00:00Z";

function event(id: string, type: string, createdAt: string): NewStoredEvent {
  return { id, type, createdAt, body: JSON.stringify({ id, type, created_at: createdAt }), via: "webhook" };
}

/** e1, e2 in the window and forwarded; e3 forwarded before it; e4 in it but never forwarded (not archived). */
const EVENTS = {
  e1: event("evt_1", "order.executed", "2026-12-01T18:10:00.000Z"),
  e2: event("evt_2", "account.created", "2026-12-01T18:40:00.000Z"),
  e3: event("evt_3", "order.executed", "2026-12-01T17:00:00.000Z"),
  e4: event("evt_4", "order.rejected", "2026-12-01T18:50:00.000Z"),
};

const SUBSCRIPTIONS = {
  orders: { ruleArn: ORDERS_RULE, eventTypes: ["order.executed", "order.rejected"] },
  audit: { ruleArn: AUDIT_RULE, eventTypes: ["account.created"] },
};

let eventBridge: FakeEventBridge;
let dynamo: LocalDynamo;
let env: Record<string, string>;

beforeEach(async () => {
  eventBridge = await startFakeEventBridge({
    now: () => NOW_MS,
    archives: [
      {
        name: ARCHIVE,
        eventSourceArn: BUS_ARN,
        retentionDays: 30,
        creationTimeMs: NOW_MS - 10 * DAY_MS,
        eventPattern: JSON.stringify({ source: [EVENT_SOURCE] }),
      },
    ],
    rules: [
      {
        name: "lemon-orders-rule-0a1b2c3",
        arn: ORDERS_RULE,
        eventBusName: BUS,
        eventPattern: JSON.stringify({
          source: [EVENT_SOURCE],
          "detail-type": SUBSCRIPTIONS.orders.eventTypes,
        }),
      },
      {
        name: "lemon-audit-rule-0a1b2c3",
        arn: AUDIT_RULE,
        eventBusName: BUS,
        eventPattern: JSON.stringify({
          source: [EVENT_SOURCE],
          "detail-type": SUBSCRIPTIONS.audit.eventTypes,
        }),
      },
    ],
  });
  dynamo = await startLocalDynamo();
  env = {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  };
  // Store every event, forward (and mark) all but e4, as the receiver and the forwarder do.
  await storeAndForward(Object.values(EVENTS), [EVENTS.e1, EVENTS.e2, EVENTS.e3]);
});

/** Stores `stored` and forwards (and marks) `forwarded` with the production adapters. */
async function storeAndForward(stored: readonly NewStoredEvent[], forwarded: readonly NewStoredEvent[]) {
  const aws = readAwsEnvironment({ ...env, AWS_REGION: "eu-central-1" });
  const table = awsJsonClient(aws, "dynamodb");
  const store = new DynamoDbEventStore(table, dynamo.tableName, 604_800);
  for (const e of stored) await store.store(e, NOW_MS - DAY_MS);
  const accepted = await new EventBridgePublisher(awsJsonClient(aws, "eventBridge"), BUS).publish(
    forwarded.map((e) => ({ ...e, receivedAtMs: NOW_MS - DAY_MS })),
  );
  expect(accepted).toEqual(forwarded.map(() => true));
  for (const e of forwarded) await markForwarded(table, dynamo.tableName, e.id, NOW_MS - DAY_MS);
}

afterEach(async () => {
  await eventBridge.close().catch(() => undefined);
  await dynamo.close();
});

function terminal(options: { isTTY: boolean; outputs?: Record<string, unknown> | Error }) {
  const out: string[] = [];
  const err: string[] = [];
  const written: string[] = [];
  const sleeps: number[] = [];
  const outputs = options.outputs ?? {
    archiveName: ARCHIVE,
    eventBusArn: BUS_ARN,
    eventBusName: BUS,
    dedupeTableName: dynamo.tableName,
    subscriptions: SUBSCRIPTIONS,
  };
  const io = {
    env,
    stdout: (line: string) => out.push(line),
    stderr: (line: string) => err.push(line),
    runPulumi: async () => {
      if (outputs instanceof Error) throw outputs;
      return JSON.stringify(outputs);
    },
    now: () => 0,
    clockMs: () => NOW_MS,
    isTTY: options.isTTY,
    write: (text: string) => written.push(text),
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  return { io, out, err, written, sleeps };
}

const replayed = () =>
  eventBridge.replay.deliveries
    .filter((d) => d.replayName !== undefined)
    .map((d) => [d.ruleArn, JSON.parse(d.detail).id, d.replayName]);

describe("Command: lemon-webhooks replay", () => {
  it("replays the window to one subscription's rule only, with plain progress lines off a terminal", async () => {
    // Prepare
    const { io, out, err, written, sleeps } = terminal({ isTTY: false });

    // Act
    const code = await runCli(
      ["replay", "--stack", "dev", "--from", FROM, "--to", TO, "--rule", "orders"],
      io,
    );

    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(out).toEqual([
      `Replaying archive ${ARCHIVE}, events with time in [2026-12-01T18:00:00.000Z, 2026-12-01T19:00:00.000Z), to the rule of subscription orders.`,
      REPLAY_WARNING,
      `Started replay ${REPLAY_NAME}. Ctrl-C stops watching, not the replay; to stop it: aws events cancel-replay --replay-name ${REPLAY_NAME}`,
      `replay ${REPLAY_NAME}: STARTING (0%)`,
      `replay ${REPLAY_NAME}: RUNNING, replayed up to 2026-12-01T18:30:00.000Z (50%)`,
      `replay ${REPLAY_NAME}: RUNNING, replayed up to 2026-12-01T19:00:00.000Z (100%)`,
      `replay ${REPLAY_NAME}: COMPLETED, replayed up to 2026-12-01T19:00:00.000Z (100%)`,
      `Replay ${REPLAY_NAME} COMPLETED: 1 event in the window (from the events table).`,
    ]);
    expect(written).toEqual([]);
    expect(sleeps).toEqual([REPLAY_POLL_MS, REPLAY_POLL_MS, REPLAY_POLL_MS]);
    // Both archived events of the window are put on the bus again; only the orders rule sees them.
    expect(
      eventBridge.entries.filter((e) => e.replayName !== undefined).map((e) => JSON.parse(e.detail).id),
    ).toEqual(["evt_1", "evt_2"]);
    expect(replayed()).toEqual([[ORDERS_RULE, "evt_1", REPLAY_NAME]]);
  });

  it("replays to every rule of the bus without --rule, drawing a progress bar on a terminal", async () => {
    // Prepare
    const { io, out, written } = terminal({ isTTY: true });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(written.join("")).toBe(
      [
        `\r[------------------------------]   0% STARTING`,
        `\r[###############---------------]  50% RUNNING, replayed up to 2026-12-01T18:30:00.000Z`,
        `\r[##############################] 100% RUNNING, replayed up to 2026-12-01T19:00:00.000Z`,
        `\r[##############################] 100% COMPLETED, replayed up to 2026-12-01T19:00:00.000Z`,
        "\n",
      ].join(""),
    );
    expect(out[0]).toBe(
      `Replaying archive ${ARCHIVE}, events with time in [2026-12-01T18:00:00.000Z, 2026-12-01T19:00:00.000Z), to every rule of bus ${BUS_ARN}.`,
    );
    expect(out.at(-1)).toBe(
      `Replay ${REPLAY_NAME} COMPLETED: 2 events in the window (from the events table).`,
    );
    expect(replayed()).toEqual([
      [ORDERS_RULE, "evt_1", REPLAY_NAME],
      [AUDIT_RULE, "evt_2", REPLAY_NAME],
    ]);
  });

  it("honours --types by replaying to the subscriptions that receive only those types, naming the rest", async () => {
    // Prepare
    const { io, out } = terminal({ isTTY: false });

    // Act
    const code = await runCli(
      ["replay", "--stack", "dev", "--from", FROM, "--to", TO, "--types", "account.created,order.executed"],
      io,
    );

    // Assess
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(out.slice(0, 2)).toEqual([
      `Replaying archive ${ARCHIVE}, events with time in [2026-12-01T18:00:00.000Z, 2026-12-01T19:00:00.000Z), to the rule of subscription audit.`,
      "Left out (EventBridge cannot replay by type): orders (also receives order.rejected).",
    ]);
    expect(out.at(-1)).toBe(
      `Replay ${REPLAY_NAME} COMPLETED: 1 event in the window (from the events table).`,
    );
    expect(replayed()).toEqual([[AUDIT_RULE, "evt_2", REPLAY_NAME]]);
  });

  it("refuses a window outside the archive's retention with exit 2, starting nothing", async () => {
    // Prepare
    const { io, out, err } = terminal({ isTTY: false });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", "2026-10-01T00:00:00Z"], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `--from (2026-10-01T00:00:00.000Z) is outside the archive's retention: ${ARCHIVE} keeps events 30 days, so the oldest replayable time is 2026-11-01T20:00:00.000Z; use a later --from`,
    ]);
    expect(eventBridge.replay.replayNames).toEqual([]);
  });

  it("exits 4 naming the stack when its outputs cannot be read", async () => {
    // Prepare
    const { io, out, err } = terminal({ isTTY: false, outputs: new Error("no stack named 'nope' found") });

    // Act
    const code = await runCli(["replay", "--stack", "nope", "--from", FROM], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.setup);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "could not read the outputs of stack nope (no stack named 'nope' found); check the stack name and that the Pulumi CLI is logged in",
    ]);
  });

  it("exits 2 listing the stack's subscriptions for an unknown --rule", async () => {
    // Prepare
    const { io, err } = terminal({ isTTY: false });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--rule", "billing"], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(err).toEqual([
      "--rule billing: stack dev has no such subscription; its subscriptions are audit, orders",
    ]);
    expect(eventBridge.replay.replayNames).toEqual([]);
  });

  it("exits 2 when --types would leave out a type the chosen subscription receives", async () => {
    // Prepare
    const { io, err } = terminal({ isTTY: false });

    // Act
    const code = await runCli(
      ["replay", "--stack", "dev", "--from", FROM, "--rule", "orders", "--types", "order.executed"],
      io,
    );

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(err).toEqual([
      "--types order.executed leaves out types subscription orders receives (order.executed, order.rejected); EventBridge replays every type a rule matches, so list all of them in --types or drop it",
    ]);
  });

  it("exits 2 saying how to export the subscriptions when the stack has none and --rule is given", async () => {
    // Prepare
    const { io, err } = terminal({
      isTTY: false,
      outputs: { archiveName: ARCHIVE, eventBusArn: BUS_ARN, dedupeTableName: dynamo.tableName },
    });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--rule", "orders"], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(err).toEqual([
      "--rule needs the stack's subscriptions output (each subscription's rule); stack dev has none: add `export const subscriptions = receiver.subscriptionRules();` after the last subscribe and run pulumi up",
    ]);
  });

  it("exits 1 with EventBridge's reason when the replay fails", async () => {
    // Prepare
    const { io, out, err } = terminal({ isTTY: false });
    eventBridge.replay.failNextReplay("Internal failure replaying events.");

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.failed);
    expect(out.at(-1)).toBe(`replay ${REPLAY_NAME}: FAILED, replayed up to 2026-12-01T18:30:00.000Z (50%)`);
    expect(err).toEqual([
      `Replay ${REPLAY_NAME} FAILED: Internal failure replaying events. (2 events in the window (from the events table); part of them may have been replayed). Run the command again for the rest of the window.`,
    ]);
  });

  it("exits 1 when the replay is cancelled meanwhile, noting a window that starts before the archive", async () => {
    // Prepare: someone cancels the replay (aws events cancel-replay) while the command waits.
    const { io, out, err } = terminal({ isTTY: false });
    const aws = readAwsEnvironment({ ...env, AWS_REGION: "eu-central-1" });
    io.sleep = async () => {
      await awsJsonClient(aws, "eventBridge").call("CancelReplay", { ReplayName: REPLAY_NAME });
    };
    const from = "2026-11-16T20:00:00Z";

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", from, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.failed);
    expect(out[1]).toBe(
      "Note: the archive was created 2026-11-21T20:00:00.000Z; it holds nothing forwarded before then.",
    );
    expect(out.slice(-2)).toEqual([
      `replay ${REPLAY_NAME}: STARTING (0%)`,
      `replay ${REPLAY_NAME}: CANCELLED (0%)`,
    ]);
    expect(err).toEqual([
      `Replay ${REPLAY_NAME} CANCELLED: Replay was cancelled. (3 events in the window (from the events table); part of them may have been replayed). Run the command again for the rest of the window.`,
    ]);
  });

  it("exits 4 saying the replay continues when EventBridge cannot be reached while watching", async () => {
    // Prepare: EventBridge goes away after the start.
    const { io, err } = terminal({ isTTY: false });
    io.sleep = async () => {
      await eventBridge.close();
    };

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.setup);
    expect(err).toEqual([
      `Lost track of replay ${REPLAY_NAME} (DescribeReplay: EventBridge unreachable (network)); it continues server-side: aws events describe-replay --replay-name ${REPLAY_NAME}`,
    ]);
  });

  it("exits 1 with EventBridge's message when it refuses to start the replay", async () => {
    // Prepare: a replay of the same name exists already (same second).
    const first = terminal({ isTTY: false });
    await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], first.io);
    const { io, err } = terminal({ isTTY: false });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.failed);
    expect(err).toEqual([
      `EventBridge refused the replay (StartReplay: ResourceAlreadyExistsException (HTTP 400): Replay ${REPLAY_NAME} already exists.).`,
    ]);
  });
  it("ends the window 10 minutes before now without --to, leaving out what the archive may not hold yet", async () => {
    // Prepare: e5 was forwarded 5 minutes ago, within the archive's delay.
    const e5 = event("evt_5", "account.created", "2026-12-01T19:55:00.000Z");
    await storeAndForward([e5], [e5]);
    const { io, out, err } = terminal({ isTTY: false });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM], io);

    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(out[0]).toBe(
      `Replaying archive ${ARCHIVE}, events with time in [2026-12-01T18:00:00.000Z, 2026-12-01T19:50:00.000Z), to every rule of bus ${BUS_ARN}.`,
    );
    expect(out.at(-1)).toBe(
      `Replay ${REPLAY_NAME} COMPLETED: 2 events in the window (from the events table).`,
    );
    expect(replayed()).toEqual([
      [ORDERS_RULE, "evt_1", REPLAY_NAME],
      [AUDIT_RULE, "evt_2", REPLAY_NAME],
    ]);
  });

  it("still replays, exiting 0, when the count cannot be read, saying the count is unavailable", async () => {
    // Prepare: the stack names a table the credentials cannot scan (here: one that does not exist).
    const { io, out, err } = terminal({
      isTTY: false,
      outputs: {
        archiveName: ARCHIVE,
        eventBusArn: BUS_ARN,
        dedupeTableName: "lemon-dedupe-gone",
        subscriptions: SUBSCRIPTIONS,
      },
    });

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(out.at(-1)).toBe(
      `Replay ${REPLAY_NAME} COMPLETED: count unavailable (scanning lemon-dedupe-gone failed: dynamodb unavailable (ResourceNotFoundException); it needs dynamodb:Scan on the table).`,
    );
    expect(replayed()).toEqual([
      [ORDERS_RULE, "evt_1", REPLAY_NAME],
      [AUDIT_RULE, "evt_2", REPLAY_NAME],
    ]);
  });

  it("keeps the replay's outcome when the count is unavailable and the replay fails", async () => {
    // Prepare
    const { io, err } = terminal({
      isTTY: false,
      outputs: { archiveName: ARCHIVE, eventBusArn: BUS_ARN, dedupeTableName: "lemon-dedupe-gone" },
    });
    eventBridge.replay.failNextReplay("Internal failure replaying events.");

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.failed);
    expect(err).toEqual([
      `Replay ${REPLAY_NAME} FAILED: Internal failure replaying events. (count unavailable (scanning lemon-dedupe-gone failed: dynamodb unavailable (ResourceNotFoundException); it needs dynamodb:Scan on the table); part of them may have been replayed). Run the command again for the rest of the window.`,
    ]);
  });

  it("lets two stacks of one account replay in the same second, each under its own name", async () => {
    // Prepare
    const dev = terminal({ isTTY: false });
    const staging = terminal({ isTTY: false });

    // Act
    const codes = [
      await runCli(["replay", "--stack", "dev", "--from", FROM, "--to", TO], dev.io),
      await runCli(["replay", "--stack", "staging", "--from", FROM, "--to", TO], staging.io),
    ];

    // Assess
    expect([dev.err, staging.err]).toEqual([[], []]);
    expect(codes).toEqual([REPLAY_EXIT.ok, REPLAY_EXIT.ok]);
    expect(eventBridge.replay.replayNames).toEqual([
      "lemon-webhooks-replay-dev-20261201T200000Z",
      "lemon-webhooks-replay-staging-20261201T200000Z",
    ]);
  });
});

describe("Function: replayNameAt", () => {
  const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

  it("names the stack and the UTC second", () => {
    // Act
    const name = replayNameAt("dev", Date.parse("2026-12-01T18:00:00.999Z"));

    // Assess
    expect(name).toBe("lemon-webhooks-replay-dev-20261201T180000Z");
  });

  it("replaces characters EventBridge refuses and tells apart stacks that differ only there", () => {
    // Act
    const slashed = replayNameAt("acme/lemon/prod", NOW_MS);
    const dashed = replayNameAt("acme-lemon-prod", NOW_MS);

    // Assess
    expect(slashed).toBe("lemon-webhooks-replay-acme-lemon-prod-2ea9db47-20261201T200000Z");
    expect(dashed).toBe("lemon-webhooks-replay-acme-lemon-prod-20261201T200000Z");
    expect(slashed).toMatch(NAME);
  });

  it("cuts a long stack name to 64 characters, keeping long names that share a prefix apart", () => {
    // Prepare
    const prefix = "customer-facing-production-eu-central-1";

    // Act
    const a = replayNameAt(`${prefix}-blue`, NOW_MS);
    const b = replayNameAt(`${prefix}-green`, NOW_MS);

    // Assess
    expect(a).toBe("lemon-webhooks-replay-customer-facing--86e5503b-20261201T200000Z");
    expect(b).toBe("lemon-webhooks-replay-customer-facing--4da155b9-20261201T200000Z");
    expect([a.length, b.length]).toEqual([64, 64]);
    expect(a).toMatch(NAME);
  });

  it("keeps a stack name of exactly the room left whole", () => {
    // Act
    const name = replayNameAt("a".repeat(25), NOW_MS);

    // Assess
    expect(name).toBe(`lemon-webhooks-replay-${"a".repeat(25)}-20261201T200000Z`);
    expect(name).toHaveLength(64);
  });
});

describe("Function: eventsInWindow", () => {
  /** A table of projected items (type and created_at only), in pages; records each Scan input. */
  function table(pages: ReadonlyArray<ReadonlyArray<[string, string]>>) {
    const inputs: unknown[] = [];
    const client = {
      call: async (operation: string, input: Record<string, unknown>) => {
        inputs.push({ operation, input });
        const index =
          input.ExclusiveStartKey === undefined
            ? 0
            : Number((input.ExclusiveStartKey as { pk: { S: string } }).pk.S);
        const items = pages[index]!.map(([type, createdAt]) => ({
          type: { S: type },
          createdAt: { S: createdAt },
        }));
        return {
          ok: true,
          value: {
            Items: items,
            ...(index + 1 < pages.length ? { LastEvaluatedKey: { pk: { S: String(index + 1) } } } : {}),
          },
        };
      },
    } as unknown as AwsJsonClient;
    return { client, inputs };
  }

  it("reads only the type and created_at, through attribute names, over every page", async () => {
    // Prepare
    const { client, inputs } = table([
      [["order.executed", "2026-12-01T18:10:00.000Z"]],
      [["account.created", "2026-12-01T18:20:00.000Z"]],
    ]);

    // Act
    const count = await eventsInWindow(client, "lemon-dedupe", Date.parse(FROM), Date.parse(TO), undefined);

    // Assess
    expect(count).toBe(2);
    const scan = {
      TableName: "lemon-dedupe",
      FilterExpression: "#k = :event AND attribute_exists(#f)",
      ProjectionExpression: "#t, #c",
      ExpressionAttributeNames: { "#k": "kind", "#f": "forwardedAtMs", "#t": "type", "#c": "createdAt" },
      ExpressionAttributeValues: { ":event": { S: "event" } },
    };
    expect(inputs).toEqual([
      { operation: "Scan", input: scan },
      { operation: "Scan", input: { ...scan, ExclusiveStartKey: { pk: { S: "1" } } } },
    ]);
  });

  it("compares created_at cut to the second, as EventBridge keeps an event's time, with the window", async () => {
    // Prepare: EventBridge's times of these are 18:10:00 and 18:59:59.
    const { client } = table([
      [
        ["order.executed", "2026-12-01T18:10:00.700Z"],
        ["order.executed", "2026-12-01T18:59:59.900Z"],
      ],
    ]);
    const types = new Set(["order.executed"]);

    // Act
    const counts = [
      await eventsInWindow(
        client,
        "t",
        Date.parse("2026-12-01T18:10:00.500Z"),
        Date.parse("2026-12-01T18:30:00Z"),
        types,
      ),
      await eventsInWindow(
        client,
        "t",
        Date.parse("2026-12-01T18:30:00Z"),
        Date.parse("2026-12-01T18:59:59.500Z"),
        types,
      ),
    ];

    // Assess: 18:10:00 is before a start of 18:10:00.500, 18:59:59 before an end of 18:59:59.500 (the
    // milliseconds would say the opposite of both).
    expect(counts).toEqual([0, 1]);
  });

  it("throws when a Scan page fails instead of counting it as empty", async () => {
    // Prepare
    const client = {
      call: async () => ({ ok: false, errorType: "ThrottlingException" }),
    } as unknown as AwsJsonClient;

    // Act
    const counting = eventsInWindow(client, "lemon-dedupe", Date.parse(FROM), Date.parse(TO), undefined);

    // Assess
    await expect(counting).rejects.toThrow("Scan: ThrottlingException");
  });
});
