import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver, ReceiverArgsError } from "../../../components";
import {
  ACCOUNT,
  dependencies,
  fakeBundleDir,
  installMocks,
  options,
  physicalName,
  promiseOf,
  REGION,
  recordEachTest,
  recorded,
  resetRecords,
  resource,
  settle,
} from "../../support/pulumi-mocks";

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

const warnings = recordEachTest();

function receiver(): LemonWebhookReceiver {
  return new LemonWebhookReceiver("lemon", {
    events: ["order.executed", "order.rejected"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
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
    shared = new LemonWebhookReceiver("shared", {
      events: ["order.executed"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });
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
    expect(warnings()).not.toHaveBeenCalled();
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
    expect(warnings().mock.calls.map(([message]) => message)).toEqual([
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

describe("Method: LemonWebhookReceiver.subscribe to an SQS queue (one policy per queue)", () => {
  const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${physicalName("orders-queue")}`;
  const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName("orders-queue")}`;
  const ruleArn = (prefix: string) =>
    `arn:aws:events:${REGION}:${ACCOUNT}:rule/${physicalName(`${prefix.split("-")[0]}-bus`)}/${physicalName(`${prefix}-rule`)}`;
  const receiverUrn = (name: string) =>
    `urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver::${name}`;
  /** The one statement a queue policy needs for `ruleArns` (a single ARN stays a string, as SQS returns it). */
  function allowRules(ruleArns: readonly string[]): unknown {
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowEventBridgeRule",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: QUEUE_ARN,
          Condition: { ArnEquals: { "aws:SourceArn": ruleArns.length === 1 ? ruleArns[0] : [...ruleArns] } },
        },
      ],
    };
  }
  /** Every queue policy written for the target queue (DLQ policies are per DLQ and excluded). */
  function targetQueuePolicies() {
    return recorded.filter(
      (r) => r.type === "aws:sqs/queuePolicy:QueuePolicy" && r.inputs.queueUrl === QUEUE_URL,
    );
  }

  it("gives two subscriptions to one queue exactly one policy that allows both rules", async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});
    const lemon = receiver();

    // Act
    const orders = lemon.subscribe("orders", { eventTypes: ["order.executed"], target: queue });
    const audit = lemon.subscribe("audit", { eventTypes: ["order.rejected"], target: queue });
    await settle();

    // Assess
    expect(targetQueuePolicies().map((r) => r.name)).toEqual(["lemon-orders-target-policy"]);
    const [policy] = targetQueuePolicies();
    expect(JSON.parse(policy?.inputs.policy as string)).toEqual(
      allowRules([ruleArn("lemon-orders"), ruleArn("lemon-audit")]),
    );
    expect(orders.targetQueuePolicy).toBe(audit.targetQueuePolicy);
    expect(orders.requiredQueuePolicyStatement).toBeUndefined();
    // Both targets start only once the shared policy allows them; the policy waits for both rules.
    const sharedPolicy = `urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver$aws:sqs/queuePolicy:QueuePolicy::lemon-orders-target-policy`;
    expect(dependencies.get("lemon-orders-target")).toContain(sharedPolicy);
    expect(dependencies.get("lemon-audit-target")).toContain(sharedPolicy);
    expect([...(dependencies.get("lemon-orders-target-policy") ?? [])].sort()).toEqual(
      [
        "urn:pulumi:test::lemon-webhooks::aws:sqs/queue:Queue::orders-queue",
        "urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver$aws:cloudwatch/eventRule:EventRule::lemon-audit-rule",
        "urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver$aws:cloudwatch/eventRule:EventRule::lemon-orders-rule",
      ].sort(),
    );
    // Retained on delete: removing or renaming the first subscription must not clear the policy that
    // replaces it (SQS's delete sets the queue's whole policy to empty).
    expect(options.get("lemon-orders-target-policy")).toMatchObject({
      retainOnDelete: true,
      parent: receiverUrn("lemon"),
    });
  });

  it("shares that one policy between two receivers of one program subscribing the same queue", async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});
    const first = receiver();
    const second = new LemonWebhookReceiver("other", {
      events: ["order.executed"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });

    // Act
    first.subscribe("orders", { eventTypes: ["order.executed"], target: queue });
    second.subscribe("orders", { eventTypes: ["order.executed"], target: queue });
    await settle();

    // Assess
    expect(targetQueuePolicies().map((r) => r.name)).toEqual(["lemon-orders-target-policy"]);
    expect(JSON.parse(targetQueuePolicies()[0]?.inputs.policy as string)).toEqual(
      allowRules([ruleArn("lemon-orders"), ruleArn("other-orders")]),
    );
    expect(options.get("lemon-orders-target-policy")?.parent).toBe(receiverUrn("lemon"));
  });

  it('creates no policy for queuePolicy: "external" and returns the exact statement to add', async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});

    // Act
    const subscription = receiver().subscribe("orders", {
      eventTypes: ["order.executed"],
      target: queue,
      queuePolicy: "external",
    });
    await settle();

    // Assess
    expect(targetQueuePolicies()).toEqual([]);
    expect(subscription.targetQueuePolicy).toBeUndefined();
    expect(await promiseOf(subscription.requiredQueuePolicyStatement as pulumi.Output<unknown>)).toEqual({
      Sid: "AllowLemonOrdersRule",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: QUEUE_ARN,
      Condition: { ArnEquals: { "aws:SourceArn": ruleArn("lemon-orders") } },
    });
    expect(resource("aws:cloudwatch/eventTarget:EventTarget", "lemon-orders-target").inputs.arn).toBe(
      QUEUE_ARN,
    );
  });

  it("refuses to mix managed and external policies on one queue, before creating anything", async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});
    const lemon = receiver();
    lemon.subscribe("orders", { eventTypes: ["order.executed"], target: queue, queuePolicy: "external" });
    await settle();
    resetRecords();

    // Act
    const act = () => lemon.subscribe("audit", { eventTypes: ["order.rejected"], target: queue });

    // Assess
    expect(act).toThrow(ReceiverArgsError);
    expect(act).toThrow(
      '[queuePolicy] this queue is already subscribed by "lemon-orders" with queuePolicy "external"; one queue has one policy, so use the same queuePolicy for every subscription to it',
    );
    await settle();
    expect(recorded).toEqual([]);
  });

  it("refuses a subscription to a queue whose policy was already written, instead of silently leaving it out", async () => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});
    const lemon = receiver();
    lemon.subscribe("orders", { eventTypes: ["order.executed"], target: queue });
    await settle();
    resetRecords();

    // Act
    const act = () => lemon.subscribe("audit", { eventTypes: ["order.rejected"], target: queue });

    // Assess
    expect(act).toThrow(
      '[target] the policy of this queue (lemon-orders-target-policy) was already written for "lemon-orders"; subscribe every subscription to one queue in the same synchronous part of the program (no await in between), or pass queuePolicy: "external" and manage the policy yourself',
    );
    await settle();
    expect(recorded).toEqual([]);
  });

  it.each([
    [
      "an unknown mode",
      { target: "queue", queuePolicy: "mine" },
      '[queuePolicy] must be "managed" or "external" (got "mine")',
    ],
    [
      "a mode on an ARN target",
      { target: { arn: "arn:aws:sqs:eu-central-1:123456789012:q" }, queuePolicy: "external" },
      "[queuePolicy] applies only to an aws.sqs.Queue target; the policy of an { arn } target is always yours to grant",
    ],
  ])("rejects %s", async (_label, args, message) => {
    // Prepare
    const queue = new aws.sqs.Queue("orders-queue", {});
    const full = {
      eventTypes: ["order.executed"],
      ...args,
      target: args.target === "queue" ? queue : args.target,
    } as unknown as Parameters<LemonWebhookReceiver["subscribe"]>[1];
    const lemon = receiver();

    // Act
    const act = () => lemon.subscribe("orders", full);

    // Assess
    expect(act).toThrow(message);
    await settle();
  });
});
