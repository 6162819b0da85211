/**
 * The AWS SDK v3 EventBridge client as protocol oracle for replay: (1) the requests `replay` sends
 * (DescribeArchive, StartReplay, DescribeReplay) carry the target and JSON body the SDK sends for the same
 * input; (2) the fake EventBridge's archive and replay answers, errors included, deserialise in the SDK to
 * the documented shapes and error names. Only Node and localhost.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  PutEventsCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import { describeArchive, describeReplay, startReplay } from "../../../cli/eventbridge-replay";
import { awsJsonClient } from "../../../lambda/aws";
import { type FakeEventBridge, startFakeEventBridge } from "../../../local";

const REGION = "eu-central-1";
const CREDENTIALS = { accessKeyId: "AKIDORACLE", secretAccessKey: "oracle-secret-access-key" } as const;
const NOW_MS = Date.parse("2026-12-01T20:00:00Z");
const DAY_MS = 86_400_000;
const BUS = "lemon-bus";
const BUS_ARN = `arn:aws:events:${REGION}:123456789012:event-bus/${BUS}`;
const ARCHIVE_ARN = `arn:aws:events:${REGION}:123456789012:archive/lemon-archive`;
const RULE_ARN = `arn:aws:events:${REGION}:123456789012:rule/${BUS}/orders`;
const FROM = new Date("2026-12-01T18:00:00Z");
const TO = new Date("2026-12-01T19:00:00Z");

const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: CREDENTIALS,
  maxAttempts: 1,
});

describe("The SDK v3 as protocol oracle for replay's EventBridge requests", () => {
  const requests: Array<{ target: string; body: unknown }> = [];
  let server: Server;
  let endpoint: string;
  let sdk: EventBridgeClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        requests.push({
          target: String(req.headers["x-amz-target"]),
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end("{}");
      });
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    endpoint = `http://127.0.0.1:${port}`;
    sdk = new EventBridgeClient(sdkConfig(endpoint));
  });

  afterAll(async () => {
    sdk.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  async function both(ours: () => Promise<unknown>, theirs: () => Promise<unknown>) {
    const before = requests.length;
    await ours();
    await theirs();
    const [a, b] = requests.slice(before);
    return { ours: a, sdk: b };
  }

  const client = () =>
    awsJsonClient(
      {
        region: REGION,
        credentials: CREDENTIALS,
        endpoints: {
          secretsManager: new URL(endpoint),
          dynamodb: new URL(endpoint),
          eventBridge: new URL(endpoint),
          sqs: new URL(endpoint),
          cloudWatch: new URL(endpoint),
        },
      },
      "eventBridge",
    );

  it("sends DescribeArchive as the SDK does", async () => {
    // Act
    const sent = await both(
      () => describeArchive(client(), "lemon-archive"),
      () => sdk.send(new DescribeArchiveCommand({ ArchiveName: "lemon-archive" })),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours?.target).toBe("AWSEvents.DescribeArchive");
  });

  it("sends StartReplay (times as epoch seconds, the rule in FilterArns) as the SDK does", async () => {
    // Act
    const sent = await both(
      () =>
        startReplay(client(), {
          name: "r-1",
          archiveArn: ARCHIVE_ARN,
          fromMs: FROM.getTime(),
          toMs: TO.getTime(),
          busArn: BUS_ARN,
          ruleArns: [RULE_ARN],
        }),
      () =>
        sdk.send(
          new StartReplayCommand({
            ReplayName: "r-1",
            EventSourceArn: ARCHIVE_ARN,
            EventStartTime: FROM,
            EventEndTime: TO,
            Destination: { Arn: BUS_ARN, FilterArns: [RULE_ARN] },
          }),
        ),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours?.body).toEqual({
      ReplayName: "r-1",
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: FROM.getTime() / 1000,
      EventEndTime: TO.getTime() / 1000,
      Destination: { Arn: BUS_ARN, FilterArns: [RULE_ARN] },
    });
  });

  it("sends DescribeReplay as the SDK does", async () => {
    // Act
    const sent = await both(
      () => describeReplay(client(), "r-1"),
      () => sdk.send(new DescribeReplayCommand({ ReplayName: "r-1" })),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
  });
});

describe("The fake EventBridge's archive and replays answer the SDK v3", () => {
  let eventBridge: FakeEventBridge;
  let sdk: EventBridgeClient;

  beforeEach(async () => {
    eventBridge = await startFakeEventBridge({
      now: () => NOW_MS,
      replayRunningSteps: 1,
      archives: [
        {
          name: "lemon-archive",
          eventSourceArn: BUS_ARN,
          retentionDays: 30,
          creationTimeMs: NOW_MS - 10 * DAY_MS,
          eventPattern: '{"source":["lemon.markets"]}',
        },
      ],
      rules: [
        {
          name: "orders",
          arn: RULE_ARN,
          eventBusName: BUS,
          eventPattern: '{"detail-type":["order.executed"]}',
        },
      ],
    });
    sdk = new EventBridgeClient(sdkConfig(eventBridge.endpoint));
    await sdk.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS,
            Source: "lemon.markets",
            DetailType: "order.executed",
            Detail: '{"id":"evt_1"}',
            Time: new Date("2026-12-01T18:10:00Z"),
          },
        ],
      }),
    );
  });

  afterEach(async () => {
    sdk.destroy();
    await eventBridge.close();
  });

  it("answers DescribeArchive with the archive's ARN, source, retention, state and creation time", async () => {
    // Act
    const archive = await sdk.send(new DescribeArchiveCommand({ ArchiveName: "lemon-archive" }));

    // Assess
    expect({
      arn: archive.ArchiveArn,
      source: archive.EventSourceArn,
      state: archive.State,
      retentionDays: archive.RetentionDays,
      eventCount: archive.EventCount,
      created: archive.CreationTime?.toISOString(),
    }).toEqual({
      arn: ARCHIVE_ARN,
      source: BUS_ARN,
      state: "ENABLED",
      retentionDays: 30,
      eventCount: 1,
      created: "2026-11-21T20:00:00.000Z",
    });
  });

  it("answers StartReplay, then DescribeReplay through STARTING, RUNNING and COMPLETED, re-delivering to the rule", async () => {
    // Act
    const started = await sdk.send(
      new StartReplayCommand({
        ReplayName: "r-1",
        EventSourceArn: ARCHIVE_ARN,
        EventStartTime: FROM,
        EventEndTime: TO,
        Destination: { Arn: BUS_ARN, FilterArns: [RULE_ARN] },
      }),
    );
    const states: Array<[string | undefined, string | undefined]> = [];
    for (let i = 0; i < 3; i += 1) {
      const replay = await sdk.send(new DescribeReplayCommand({ ReplayName: "r-1" }));
      states.push([replay.State, replay.EventLastReplayedTime?.toISOString()]);
    }

    // Assess
    expect([started.State, started.ReplayArn]).toEqual([
      "STARTING",
      `arn:aws:events:${REGION}:123456789012:replay/r-1`,
    ]);
    expect(states).toEqual([
      ["STARTING", undefined],
      ["RUNNING", "2026-12-01T19:00:00.000Z"],
      ["COMPLETED", "2026-12-01T19:00:00.000Z"],
    ]);
    expect(eventBridge.replay.deliveries.map((d) => [d.ruleArn, d.detail, d.replayName])).toEqual([
      [RULE_ARN, '{"id":"evt_1"}', undefined],
      [RULE_ARN, '{"id":"evt_1"}', "r-1"],
    ]);
  });

  it("keeps an event's time to the second, as EventBridge does: a replay selects and re-sends it by that second", async () => {
    // Prepare: an event whose Time has milliseconds, in the last second of a window ending at 18:59:59.500.
    await sdk.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS,
            Source: "lemon.markets",
            DetailType: "order.executed",
            Detail: '{"id":"evt_2"}',
            Time: new Date("2026-12-01T18:59:59.700Z"),
          },
        ],
      }),
    );

    // Act
    await sdk.send(
      new StartReplayCommand({
        ReplayName: "r-seconds",
        EventSourceArn: ARCHIVE_ARN,
        EventStartTime: new Date("2026-12-01T18:30:00Z"),
        EventEndTime: new Date("2026-12-01T18:59:59.500Z"),
        Destination: { Arn: BUS_ARN },
      }),
    );
    for (let i = 0; i < 3; i += 1) await sdk.send(new DescribeReplayCommand({ ReplayName: "r-seconds" }));

    // Assess: its time is 18:59:59, before the end; the milliseconds would have left it out.
    expect(
      eventBridge.entries
        .filter((e) => e.replayName === "r-seconds")
        .map((e) => [JSON.parse(e.detail).id, e.time]),
    ).toEqual([["evt_2", Date.parse("2026-12-01T18:59:59Z") / 1000]]);
  });

  it("answers CancelReplay with CANCELLING, then DescribeReplay with CANCELLED", async () => {
    // Prepare
    await sdk.send(
      new StartReplayCommand({
        ReplayName: "r-2",
        EventSourceArn: ARCHIVE_ARN,
        EventStartTime: FROM,
        EventEndTime: TO,
        Destination: { Arn: BUS_ARN },
      }),
    );

    // Act
    const cancelled = await sdk.send(new CancelReplayCommand({ ReplayName: "r-2" }));
    const replay = await sdk.send(new DescribeReplayCommand({ ReplayName: "r-2" }));

    // Assess
    expect([cancelled.State, replay.State, replay.StateReason]).toEqual([
      "CANCELLING",
      "CANCELLED",
      "Replay was cancelled.",
    ]);
  });

  async function sdkError(send: Promise<unknown>) {
    const error = (await send.then(
      () => undefined,
      (e: unknown) => e,
    )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    if (error === undefined) throw new Error("expected the SDK call to fail");
    return [error.name, error.message, error.$metadata?.httpStatusCode];
  }

  const start = (overrides: Partial<ConstructorParameters<typeof StartReplayCommand>[0]>) =>
    sdk.send(
      new StartReplayCommand({
        ReplayName: "r-x",
        EventSourceArn: ARCHIVE_ARN,
        EventStartTime: FROM,
        EventEndTime: TO,
        Destination: { Arn: BUS_ARN },
        ...overrides,
      }),
    );

  it.each([
    [
      "a start older than the retention",
      { EventStartTime: new Date(NOW_MS - 31 * DAY_MS) },
      [
        "ValidationException",
        "Parameter EventStartTime is not valid. Reason: EventStartTime is outside the archive's retention period.",
        400,
      ],
    ],
    [
      "an end in the future",
      { EventEndTime: new Date(NOW_MS + 1000) },
      [
        "ValidationException",
        "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.",
        400,
      ],
    ],
    [
      "an end not after the start",
      { EventEndTime: FROM },
      [
        "ValidationException",
        "Parameter EventEndTime is not valid. Reason: EventEndTime must be after EventStartTime.",
        400,
      ],
    ],
    [
      "another bus as destination",
      { Destination: { Arn: `arn:aws:events:${REGION}:123456789012:event-bus/other` } },
      [
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
        400,
      ],
    ],
    [
      "an unknown archive",
      { EventSourceArn: `arn:aws:events:${REGION}:123456789012:archive/nope` },
      [
        "ResourceNotFoundException",
        `Archive arn:aws:events:${REGION}:123456789012:archive/nope does not exist.`,
        400,
      ],
    ],
  ])("refuses StartReplay with %s as the SDK's named error", async (_case, overrides, expected) => {
    // Act
    const error = await sdkError(start(overrides));

    // Assess
    expect(error).toEqual(expected);
    expect(eventBridge.replay.replayNames).toEqual([]);
  });

  it("refuses a second replay of one name with ResourceAlreadyExistsException", async () => {
    // Prepare
    await start({});

    // Act
    const error = await sdkError(start({}));

    // Assess
    expect(error).toEqual(["ResourceAlreadyExistsException", "Replay r-x already exists.", 400]);
  });
});
