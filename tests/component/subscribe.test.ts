import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver, ReceiverArgsError } from "../../components";
import {
  ACCOUNT,
  dependencies,
  fakeBundleDir,
  installMocks,
  physicalName,
  REGION,
  recorded,
  resetRecords,
  resource,
  settle,
} from "./harness";

const BUNDLE = fakeBundleDir();
const BUS = physicalName("lemon-bus");
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${BUS}/${physicalName("lemon-orders-rule")}`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${physicalName("lemon-orders-dlq")}`;
const DLQ_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName("lemon-orders-dlq")}`;

function ruleToQueue(queueArn: string): unknown {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowEventBridgeRule",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": RULE_ARN } },
      },
    ],
  };
}

beforeAll(async () => {
  await installMocks();
});

let warn: jest.SpyInstance;
beforeEach(() => {
  resetRecords();
  warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
});
afterEach(() => {
  warn.mockRestore();
});

function receiver(): LemonWebhookReceiver {
  return new LemonWebhookReceiver("lemon", {
    events: ["order.executed", "order.rejected"],
    lambdaBundleDir: BUNDLE,
  });
}

function childrenOfSubscription(): string[] {
  return recorded
    .filter((r) => r.name.startsWith("lemon-orders-"))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

describe("Method: LemonWebhookReceiver.subscribe", () => {
  // One receiver for the rejection cases: validation runs before anything is created, so they cannot interfere.
  let shared: LemonWebhookReceiver;
  beforeAll(async () => {
    shared = new LemonWebhookReceiver("shared", { events: ["order.executed"], lambdaBundleDir: BUNDLE });
    await settle();
  });

  it("delivers the chosen lemon.markets event types to a Lambda with retries, a dead-letter queue and an alarm", async () => {
    // Prepare
    const target = new aws.lambda.Function("consumer", {
      role: "arn:aws:iam::123456789012:role/c",
      runtime: "nodejs22.x",
      handler: "index.handler",
    });
    const lemon = receiver();

    // Act
    const subscription = lemon.subscribe("orders", {
      eventTypes: ["order.executed", "order.rejected"],
      target,
    });
    await settle();

    // Assess
    expect(childrenOfSubscription()).toEqual([
      "aws:cloudwatch/eventRule:EventRule lemon-orders-rule",
      "aws:cloudwatch/eventTarget:EventTarget lemon-orders-target",
      "aws:cloudwatch/metricAlarm:MetricAlarm lemon-orders-dlq-depth",
      "aws:lambda/permission:Permission lemon-orders-invoke",
      "aws:sqs/queue:Queue lemon-orders-dlq",
      "aws:sqs/queuePolicy:QueuePolicy lemon-orders-dlq-policy",
    ]);
    expect(resource("aws:cloudwatch/eventRule:EventRule", "lemon-orders-rule").inputs).toEqual({
      eventBusName: BUS,
      eventPattern: '{"source":["lemon.markets"],"detail-type":["order.executed","order.rejected"]}',
      description: "lemon.markets order.executed, order.rejected → subscription orders",
      tags: {},
    });
    expect(resource("aws:cloudwatch/eventTarget:EventTarget", "lemon-orders-target").inputs).toEqual({
      rule: physicalName("lemon-orders-rule"),
      eventBusName: BUS,
      arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physicalName("consumer")}`,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      deadLetterConfig: { arn: DLQ_ARN },
    });
    expect(resource("aws:lambda/permission:Permission", "lemon-orders-invoke").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: physicalName("consumer"),
      principal: "events.amazonaws.com",
      sourceArn: RULE_ARN,
    });
    expect(resource("aws:sqs/queue:Queue", "lemon-orders-dlq").inputs).toEqual({
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
      tags: {},
    });
    const dlqPolicy = resource("aws:sqs/queuePolicy:QueuePolicy", "lemon-orders-dlq-policy").inputs;
    expect(dlqPolicy.queueUrl).toBe(DLQ_URL);
    expect(JSON.parse(dlqPolicy.policy as string)).toEqual(ruleToQueue(DLQ_ARN));
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-orders-dlq-depth").inputs).toMatchObject(
      {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: physicalName("lemon-orders-dlq") },
        threshold: 1,
      },
    );
    expect(subscription.targetQueuePolicy).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it("starts delivering only once the permission and dead-letter policy allow it", async () => {
    // Prepare
    const target = new aws.lambda.Function("consumer", {
      role: "arn:aws:iam::123456789012:role/c",
      runtime: "nodejs22.x",
      handler: "index.handler",
    });

    // Act
    receiver().subscribe("orders", { eventTypes: ["order.executed"], target });
    await settle();

    // Assess
    const urn = (type: string, name: string) =>
      `urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver$${type}::${name}`;
    // Explicit: the DLQ policy and the invoke permission (so no delivery fails before they exist); the rest
    // are the inputs the target refers to.
    expect([...(dependencies.get("lemon-orders-target") ?? [])].sort()).toEqual(
      [
        urn("aws:cloudwatch/eventBus:EventBus", "lemon-bus"),
        urn("aws:cloudwatch/eventRule:EventRule", "lemon-orders-rule"),
        urn("aws:lambda/permission:Permission", "lemon-orders-invoke"),
        urn("aws:sqs/queue:Queue", "lemon-orders-dlq"),
        urn("aws:sqs/queuePolicy:QueuePolicy", "lemon-orders-dlq-policy"),
        "urn:pulumi:test::lemon-webhooks::aws:lambda/function:Function::consumer",
      ].sort(),
    );
  });

  it("sets an SQS target's queue policy to allow exactly this rule", async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});

    // Act
    receiver().subscribe("orders", {
      eventTypes: ["order.executed"],
      target: queue,
      maxRetryAttempts: 3,
      maxEventAgeSeconds: 60,
    });
    await settle();

    // Assess
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${physicalName("orders-queue")}`;
    const policy = resource("aws:sqs/queuePolicy:QueuePolicy", "lemon-orders-target-policy").inputs;
    expect(policy.queueUrl).toBe(
      `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName("orders-queue")}`,
    );
    expect(JSON.parse(policy.policy as string)).toEqual(ruleToQueue(queueArn));
    expect(
      recorded.filter(
        (r) => r.type === "aws:lambda/permission:Permission" && r.name.startsWith("lemon-orders"),
      ),
    ).toEqual([]);
    expect(resource("aws:cloudwatch/eventTarget:EventTarget", "lemon-orders-target").inputs).toMatchObject({
      arn: queueArn,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 60 },
    });
  });

  it("passes an ARN target and its role through without granting anything itself", async () => {
    // Prepare
    const arn = "arn:aws:states:eu-central-1:123456789012:stateMachine:orders";
    const roleArn = "arn:aws:iam::123456789012:role/events-to-sfn";

    // Act
    receiver().subscribe("orders", {
      eventTypes: ["order.executed"],
      target: { arn, roleArn },
      messageGroupId: "orders",
    });
    await settle();

    // Assess
    expect(childrenOfSubscription()).toEqual([
      "aws:cloudwatch/eventRule:EventRule lemon-orders-rule",
      "aws:cloudwatch/eventTarget:EventTarget lemon-orders-target",
      "aws:cloudwatch/metricAlarm:MetricAlarm lemon-orders-dlq-depth",
      "aws:sqs/queue:Queue lemon-orders-dlq",
      "aws:sqs/queuePolicy:QueuePolicy lemon-orders-dlq-policy",
    ]);
    expect(resource("aws:cloudwatch/eventTarget:EventTarget", "lemon-orders-target").inputs).toMatchObject({
      arn,
      roleArn,
      sqsTarget: { messageGroupId: "orders" },
    });
  });

  it("warns when a subscribed type is not registered or not published", async () => {
    // Act
    const lemon = receiver();
    lemon.subscribe("orders", {
      eventTypes: ["account.created", "order.teleported"],
      target: { arn: "arn:aws:sqs:eu-central-1:123456789012:q" },
    });

    // Assess
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'subscribe("orders"): event type "order.teleported" is not in lemon.markets\' published list',
      'subscribe("orders"): the receiver is not registered for "account.created", so this rule never sees it; add it to [events]',
      'subscribe("orders"): the receiver is not registered for "order.teleported", so this rule never sees it; add it to [events]',
    ]);
    await settle();
  });

  it.each([
    ["an empty event list", "orders", { eventTypes: [] }, "eventTypes"],
    ["a malformed event type", "orders", { eventTypes: ["ORDER"] }, "eventTypes[0]"],
    [
      "a target that is neither resource nor ARN",
      "orders",
      { eventTypes: ["order.executed"], target: { url: "x" } },
      "target",
    ],
    [
      "a target ARN that is not an ARN",
      "orders",
      { eventTypes: ["order.executed"], target: { arn: "orders" } },
      "target.arn",
    ],
    [
      "too many retries",
      "orders",
      { eventTypes: ["order.executed"], maxRetryAttempts: 186 },
      "maxRetryAttempts",
    ],
    [
      "too short an event age",
      "orders",
      { eventTypes: ["order.executed"], maxEventAgeSeconds: 59 },
      "maxEventAgeSeconds",
    ],
    ["a name with a space", "my orders", { eventTypes: ["order.executed"] }, "subscribe(name)"],
    [
      "a name too long for the rule name",
      "o".repeat(46),
      { eventTypes: ["order.executed"] },
      "subscribe(name)",
    ],
  ])("rejects %s before creating anything", async (_label, name, args, field) => {
    // Prepare
    const lemon = shared;
    const full = { target: { arn: "arn:aws:sqs:eu-central-1:123456789012:q" }, ...args } as Parameters<
      LemonWebhookReceiver["subscribe"]
    >[1];

    // Act
    const act = () => lemon.subscribe(name, full);

    // Assess
    expect(act).toThrow(ReceiverArgsError);
    expect(act).toThrow(`[${field}]`);
    await settle();
    expect(recorded).toEqual([]);
  });

  it("rejects a second subscription with the same name", async () => {
    // Prepare
    const lemon = receiver();
    const args = {
      eventTypes: ["order.executed"],
      target: { arn: "arn:aws:sqs:eu-central-1:123456789012:q" },
    };
    lemon.subscribe("orders", args);

    // Act
    const act = () => lemon.subscribe("orders", args);

    // Assess
    expect(act).toThrow(
      '[subscribe(name)] "orders" is already subscribed on this receiver; pick another name',
    );
    await settle();
    expect(recorded.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule")).toHaveLength(1);
  });
});
