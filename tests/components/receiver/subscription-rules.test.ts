import * as aws from "@pulumi/aws";
import { LemonWebhookReceiver } from "../../../components";
import { parseSubscriptionRules } from "../../../components/receiver/subscription-output";
import {
  ACCOUNT,
  fakeBundleDir,
  installMocks,
  physicalName,
  promiseOf,
  REGION,
  recordEachTest,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();

function ruleArn(receiver: string, subscription: string): string {
  const bus = physicalName(`${receiver}-bus`);
  return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus}/${physicalName(`${receiver}-${subscription}-rule`)}`;
}

beforeAll(async () => {
  await installMocks();
});

recordEachTest();

describe("Method: LemonWebhookReceiver.subscriptionRules", () => {
  it("maps each subscription made so far to its rule ARN and event types, in the shape replay reads", async () => {
    // Prepare
    const receiver = new LemonWebhookReceiver("lemon", {
      events: ["order.executed", "order.rejected", "account.created"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });
    const queue = new aws.sqs.Queue("audit-queue");
    receiver.subscribe("orders", {
      eventTypes: ["order.executed", "order.rejected"],
      target: { arn: "arn:aws:states:eu-central-1:123456789012:stateMachine:o" },
    });
    receiver.subscribe("audit", { eventTypes: ["account.created"], target: queue });

    // Act
    const rules = await promiseOf(receiver.subscriptionRules());
    await settle();

    // Assess
    const expected = {
      orders: { ruleArn: ruleArn("lemon", "orders"), eventTypes: ["order.executed", "order.rejected"] },
      audit: { ruleArn: ruleArn("lemon", "audit"), eventTypes: ["account.created"] },
    };
    expect(rules).toEqual(expected);
    expect(parseSubscriptionRules(JSON.parse(JSON.stringify(rules)))).toEqual(expected);
  });

  it("is empty for a receiver without subscriptions (the stack program's)", async () => {
    // Prepare
    const receiver = new LemonWebhookReceiver("bare", {
      events: ["order.executed"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });

    // Act
    const rules = await promiseOf(receiver.subscriptionRules());
    await settle();

    // Assess
    expect(rules).toEqual({});
  });
});
