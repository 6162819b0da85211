/**
 * The outputs `lemon-webhooks status` reads (under mocks): every alarm the receiver's graph creates is named
 * in `alarmNames` (nothing missed, nothing extra), each subscription's dead-letter queue is in
 * `deadLetterQueueUrls`, and `events` is what the registration was given.
 */
import * as aws from "@pulumi/aws";
import { LemonWebhookReceiver } from "../../../components";
import {
  ACCOUNT,
  fakeBundleDir,
  installMocks,
  KNOWN_API_KEY,
  physicalName,
  promiseOf,
  REGION,
  recordEachTest,
  recorded,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

beforeAll(async () => {
  await installMocks();
});

recordEachTest();

function consumer(name: string): aws.lambda.Function {
  return new aws.lambda.Function(name, {
    role: `arn:aws:iam::${ACCOUNT}:role/c`,
    runtime: "nodejs22.x",
    handler: "index.handler",
  });
}

describe("Outputs: what lemon-webhooks status reads", () => {
  it("names every alarm of the graph in alarmNames: receiver, forwarder, reconciler and each subscription", async () => {
    // Prepare
    const lemon = new LemonWebhookReceiver("lemon", {
      events: ["order.executed", "account.created"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
      reconciler: { apiKey: KNOWN_API_KEY, lambdaBundleDir: BUNDLE },
    });
    lemon.subscribe("orders", { eventTypes: ["order.executed"], target: consumer("orders-fn") });
    lemon.subscribe("audit", { eventTypes: ["account.created"], target: consumer("audit-fn") });

    // Act
    const names = await promiseOf(lemon.alarmNames);
    await settle();

    // Assess
    const created = recorded.filter((r) => r.type === ALARM_TYPE).map((r) => physicalName(r.name));
    expect(created).toHaveLength(15);
    expect([...names].sort()).toEqual([...created].sort());
  });

  it("leaves the reconciler's alarms out when there is no reconciler", async () => {
    // Prepare
    const lemon = new LemonWebhookReceiver("lemon", {
      events: ["order.executed"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });

    // Act
    const names = await promiseOf(lemon.alarmNames);
    await settle();

    // Assess
    expect([...names].sort()).toEqual(
      [
        "lemon-api-5xx",
        "lemon-signature-rejects",
        "lemon-receiver-errors",
        "lemon-receiver-throttles",
        "lemon-forward-failures-depth",
        "lemon-forwarder-iterator-age",
        "lemon-forwarder-errors",
      ]
        .map(physicalName)
        .sort(),
    );
  });

  it("maps each subscription to its dead-letter queue URL and keeps the registered events", async () => {
    // Prepare
    const lemon = new LemonWebhookReceiver("lemon", {
      events: ["order.executed", "account.created"],
      lambdaBundleDir: BUNDLE,
      forwarderBundleDir: BUNDLE,
    });
    const none = await promiseOf(lemon.deadLetterQueueUrls);
    lemon.subscribe("orders", { eventTypes: ["order.executed"], target: consumer("orders-fn") });

    // Act
    const urls = await promiseOf(lemon.deadLetterQueueUrls);

    // Assess
    expect(none).toEqual({});
    expect(urls).toEqual({
      orders: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName("lemon-orders-dlq")}`,
    });
    expect(lemon.events).toEqual(["order.executed", "account.created"]);
  });
});
