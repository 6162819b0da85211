import * as pulumi from "@pulumi/pulumi";
import { LemonEventReconciler, LemonWebhookReceiver } from "../../../components";
import { reconcilerFromConfig } from "../../../components/reconciler/stack-config";
import {
  ACCOUNT,
  fakeBundleDir,
  installMocks,
  KNOWN_API_KEY,
  physicalName,
  promiseOf,
  REGION,
  recorded,
  resetRecords,
  resource,
  STREAM_LABEL,
  secretInputValue,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const RECEIVER = "lemon-webhooks:index:Receiver";
const RECONCILER = "lemon-webhooks:index:Reconciler";

function setConfig(values: Record<string, string>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(values, secretKeys);
}

async function buildReceiver(
  reconciler: ConstructorParameters<typeof LemonWebhookReceiver>[1]["reconciler"],
) {
  const receiver = new LemonWebhookReceiver("lemon", {
    events: ["order.executed", "account.created"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:ops",
    dedupeTtlSeconds: 86_400,
    reconciler,
  });
  await settle();
  return receiver;
}

beforeAll(async () => {
  await installMocks();
});

beforeEach(() => {
  resetRecords();
  setConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
});

describe("Component: LemonWebhookReceiver with the reconciler", () => {
  it("adds a reconciler under the receiver, on the receiver's table, bus, event types and alarm topic", async () => {
    // Act
    const receiver = await buildReceiver({ intervalMinutes: 5, lambdaBundleDir: BUNDLE });

    // Assess
    expect(receiver.reconciler).toBeDefined();
    expect(recorded.filter((r) => r.type === RECONCILER).map((r) => r.name)).toEqual(["lemon"]);
    const env = (
      resource("aws:lambda/function:Function", "lemon-reconciler").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({
      LEMON_DEDUPE_TABLE: physicalName("lemon-dedupe"),
      LEMON_RECONCILER_EVENT_TYPES: "order.executed,account.created",
      LEMON_DEDUPE_TTL_SECONDS: "86400",
      // Unset, the first run reads one 5-minute interval plus the 600 s overlap.
      LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS: "900",
    });
    const policy = JSON.parse(
      resource("aws:iam/rolePolicy:RolePolicy", "lemon-reconciler-policy").inputs.policy as string,
    );
    // It stores into the receiver's table only; the receiver's forwarder takes what it stores to the bus.
    expect(policy.Statement.map((s: { Sid: string; Resource: string }) => [s.Sid, s.Resource])).toEqual([
      ["ReadApiKey", await promiseOf(receiver.reconciler?.apiKeySecretArn ?? pulumi.output(""))],
      [
        "StoreEventsAndWatermark",
        `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physicalName("lemon-dedupe")}`,
      ],
      [
        "WriteOwnLogs",
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-reconciler-logs")}:*`,
      ],
    ]);
    expect(Object.keys(env)).not.toContain("LEMON_EVENT_BUS_NAME");
    expect(
      resource("aws:lambda/eventSourceMapping:EventSourceMapping", "lemon-forwarder-stream").inputs
        .eventSourceArn,
    ).toBe(
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physicalName("lemon-dedupe")}/stream/${STREAM_LABEL}`,
    );
    expect(resource("aws:scheduler/schedule:Schedule", "lemon-schedule").inputs.scheduleExpression).toBe(
      "rate(5 minutes)",
    );
    expect(
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-reconciler-recovered").inputs.alarmActions,
    ).toEqual(["arn:aws:sns:eu-central-1:123456789012:ops"]);
    const apiKey = resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value").inputs
      .secretString;
    expect(secretInputValue(apiKey)).toBe(KNOWN_API_KEY);
  });

  it("lets only the forwarder put events on the bus: the receiver and the reconciler only store", async () => {
    // Act
    await buildReceiver({ lambdaBundleDir: BUNDLE });

    // Assess
    const grants = recorded
      .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
      .map((r) => ({
        name: r.name,
        actions: (
          JSON.parse(r.inputs.policy as string) as { Statement: { Action: string[] }[] }
        ).Statement.flatMap((statement) => statement.Action),
      }));
    expect(grants.map((g) => g.name).sort()).toEqual([
      "lemon-forwarder-policy",
      "lemon-receiver-policy",
      "lemon-reconciler-policy",
      "lemon-schedule-policy",
    ]);
    expect(grants.filter((g) => g.actions.some((a) => a.startsWith("events:"))).map((g) => g.name)).toEqual([
      "lemon-forwarder-policy",
    ]);
    expect(grants.filter((g) => g.actions.includes("dynamodb:DeleteItem"))).toEqual([]);
  });

  it("exposes the dedupe table's ARN, so a standalone reconciler can be wired to the receiver", async () => {
    // Prepare
    const receiver = await buildReceiver(false);

    // Act
    const reconciler = new LemonEventReconciler("standalone", {
      events: ["order.executed"],
      dedupeTableName: receiver.dedupeTableName,
      dedupeTableArn: receiver.dedupeTableArn,
      apiKey: KNOWN_API_KEY,
      lambdaBundleDir: BUNDLE,
    });
    await settle();

    // Assess
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physicalName("lemon-dedupe")}`;
    expect(await promiseOf(receiver.dedupeTableArn)).toBe(tableArn);
    const policy = JSON.parse(
      resource("aws:iam/rolePolicy:RolePolicy", "standalone-reconciler-policy").inputs.policy as string,
    );
    expect(policy.Statement[1].Resource).toBe(tableArn);
    expect(await promiseOf(reconciler.functionName)).toBe(physicalName("standalone-reconciler"));
  });

  it("adds no reconciler when it is off", async () => {
    // Act
    const receiver = await buildReceiver(false);

    // Assess
    expect(receiver.reconciler).toBeUndefined();
    expect(recorded.filter((r) => r.type === RECONCILER || r.type.startsWith("aws:scheduler"))).toEqual([]);
  });

  it("rejects a bad reconciler option, a missing bundle or a missing API key before registering anything", () => {
    // Prepare
    const saved = process.env.LEMON_MARKETS_API_KEY;
    delete process.env.LEMON_MARKETS_API_KEY;

    // Act
    const badOption = () =>
      new LemonWebhookReceiver("lemon", {
        events: ["order.executed"],
        lambdaBundleDir: BUNDLE,
        reconciler: { intervalMinutes: 0 },
      });
    setConfig({});
    const noKey = () =>
      new LemonWebhookReceiver("lemon", {
        events: ["order.executed"],
        lambdaBundleDir: BUNDLE,
        reconciler: true,
      });

    // Assess
    expect(() => {
      setConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
      badOption();
    }).toThrow(
      "LemonEventReconciler: [intervalMinutes] must be a whole number from 1 to 1440 (got 0); omit it for 15",
    );
    setConfig({});
    const noBundle = () =>
      new LemonWebhookReceiver("lemon", {
        events: ["order.executed"],
        lambdaBundleDir: BUNDLE,
        reconciler: { apiKey: KNOWN_API_KEY, lambdaBundleDir: "/nonexistent/reconciler" },
      });
    expect(noBundle).toThrow(
      'The reconciler Lambda bundle /nonexistent/reconciler/index.js does not exist: run "npm run build:lambda" first',
    );
    expect(noKey).toThrow(
      "LemonEventReconciler: [apiKey] is not set: run `pulumi config set --secret lemonmarkets:apiKey <key>` (or set LEMON_MARKETS_API_KEY, or pass apiKey)",
    );
    expect(recorded.filter((r) => r.type === RECEIVER)).toEqual([]);
    if (saved !== undefined) process.env.LEMON_MARKETS_API_KEY = saved;
  });
});

describe("Function: reconcilerFromConfig", () => {
  it.each([
    [{}, { intervalMinutes: undefined, overlapSeconds: undefined, settleSeconds: undefined }],
    [
      { "lemon-webhooks:reconciler": "true", "lemon-webhooks:reconcilerIntervalMinutes": "30" },
      { intervalMinutes: 30, overlapSeconds: undefined, settleSeconds: undefined },
    ],
    [
      { "lemon-webhooks:reconcilerOverlapSeconds": "120" },
      { intervalMinutes: undefined, overlapSeconds: 120, settleSeconds: undefined },
    ],
    [
      { "lemon-webhooks:reconcilerSettleSeconds": "60" },
      { intervalMinutes: undefined, overlapSeconds: undefined, settleSeconds: 60 },
    ],
    [{ "lemon-webhooks:reconciler": "false" }, false],
  ])("reads %j as %j (on unless turned off)", (config, expected) => {
    // Prepare
    setConfig(config);

    // Act
    const options = reconcilerFromConfig();

    // Assess
    expect(options).toEqual(expected);
  });
});
