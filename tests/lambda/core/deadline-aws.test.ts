import { invocationDeadline } from "../../../lambda/core/deadline";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import { buildAwsReceiver, createHandler, type Handler } from "../../../lambda/receiver/handler";
import {
  type DelayProxy,
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  localReceiverEnv,
  startDelayProxy,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../../local";
import { fakeContext, signedApiGatewayEvent } from "../../support/apigw";
import { clientFor } from "../../support/local-aws";
import { eventBody, SECRET } from "../../support/events";

const systemClock = { now: () => Date.now() };
/** The Lambda timeout the fake context simulates: work stops at 1000 ms, cleanup at 1400 ms. */
const TIMEOUT_MS = 1_500;
/** Far beyond any budget: a call through a proxy with this delay only ends when the caller gives up. */
const STALLED_MS = 30_000;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => "resolved",
    (error: unknown) => error,
  );
}

describe("Class: AwsJsonClient — the deadline", () => {
  let eb: FakeEventBridge;
  let slow: DelayProxy;
  beforeEach(async () => {
    eb = await startFakeEventBridge();
    slow = await startDelayProxy({ target: eb.endpoint, delayMs: STALLED_MS });
  });
  afterEach(async () => {
    await slow.close();
    await eb.close();
  });

  it("cuts a call off at the deadline when that comes before its own timeout, and names it", async () => {
    // Prepare
    const client = clientFor("eventbridge", slow.endpoint);

    // Act
    const error = await failure(
      client.call("PutEvents", { Entries: [] }, [], invocationDeadline(systemClock, 800)),
    );

    // Assess
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: "eventbridge", code: "deadline" });
    expect(slow.forwarded).toBe(0);
    expect(eb.putEventsCalls).toBe(0);
  });

  it("cuts a call off at its own timeout when the deadline is later", async () => {
    // Prepare
    const client = clientFor("eventbridge", slow.endpoint, 200);

    // Act
    const error = await failure(
      client.call("PutEvents", { Entries: [] }, [], invocationDeadline(systemClock, 60_000)),
    );

    // Assess
    expect(error).toMatchObject({ dependency: "eventbridge", code: "timeout" });
  });

  it("makes no request at all once the deadline has passed", async () => {
    // Prepare
    const client = clientFor("eventbridge", eb.endpoint);

    // Act
    const error = await failure(
      client.call("PutEvents", { Entries: [] }, [], invocationDeadline(systemClock, 500)),
    );

    // Assess
    expect(error).toMatchObject({ dependency: "eventbridge", code: "deadline" });
    expect(eb.putEventsCalls).toBe(0);
  });
});

describe("Function: handler — slow dependencies against the Lambda context's deadline", () => {
  let sm: FakeSecretsManager;
  let dynamo: LocalDynamo;
  let slow: DelayProxy | undefined;
  let lines: string[];
  beforeEach(async () => {
    [sm, dynamo] = await Promise.all([
      startFakeSecretsManager({
        versions: [{ secret: SECRET, createdAt: new Date("2026-01-01T00:00:00Z") }],
      }),
      startLocalDynamo(),
    ]);
    lines = [];
  });
  afterEach(async () => {
    await slow?.close();
    slow = undefined;
    await Promise.all([sm.close(), dynamo.close()]);
  });

  /** A handler whose `service` is reached through a proxy holding every call's `phase` for a long time. */
  async function handlerWithSlow(
    service: "AWS_ENDPOINT_URL_DYNAMODB" | "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    phase: "request" | "response",
  ): Promise<{ handler: Handler; proxy: DelayProxy }> {
    const env = localReceiverEnv({ secretsManager: sm, dynamo });
    const proxy = await startDelayProxy({ target: env[service]!, delayMs: STALLED_MS, phase });
    slow = proxy;
    const handler = createHandler(() =>
      buildAwsReceiver({
        env: { ...env, [service]: proxy.endpoint },
        write: (line) => lines.push(line),
        clock: systemClock,
      }),
    );
    return { handler, proxy };
  }

  async function timed(handler: Handler, id: string, requestId: string) {
    const context = fakeContext(TIMEOUT_MS);
    const startedMs = Date.now();
    const result = await handler(signedApiGatewayEvent(eventBody(id), requestId), context);
    return { result, elapsedMs: Date.now() - startedMs, reads: context.reads() };
  }

  const deliveries = () =>
    lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "delivery")
      .map((line) => [line.status, line.outcome, line.dependency, line.errorCode]);

  it("answers 503 before the deadline when the store lands but DynamoDB's answer stalls; the redelivery is a duplicate", async () => {
    // Prepare
    const { handler, proxy } = await handlerWithSlow("AWS_ENDPOINT_URL_DYNAMODB", "response");

    // Act
    const first = await timed(handler, "evt_stalled_table", "req-1");
    proxy.setDelay(0);
    const itemAfterFirst = await dynamo.getItem("evt_stalled_table");
    const redelivery = await timed(handler, "evt_stalled_table", "req-2");

    // Assess
    expect(first.result.statusCode).toBe(503);
    expect(first.elapsedMs).toBeLessThan(TIMEOUT_MS);
    // One PutItem per attempt reached DynamoDB, nothing else: the first landed (only its answer was late) and
    // nothing undid it; the redelivery's condition settled it.
    expect(proxy.forwarded).toBe(2);
    expect(itemAfterFirst?.pk).toEqual({ S: "evt_stalled_table" });
    expect(redelivery.result).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: '{"status":"duplicate"}',
    });
    expect(deliveries()).toEqual([
      [503, "unavailable", "dynamodb", "deadline"],
      [200, "duplicate", undefined, undefined],
    ]);
  });

  it("answers 503 before the deadline without storing when Secrets Manager stalls", async () => {
    // Prepare
    const { handler } = await handlerWithSlow("AWS_ENDPOINT_URL_SECRETS_MANAGER", "request");

    // Act
    const first = await timed(handler, "evt_stalled_secret", "req-1");

    // Assess
    expect(first.result.statusCode).toBe(503);
    expect(first.elapsedMs).toBeLessThan(TIMEOUT_MS);
    expect(await dynamo.getItem("evt_stalled_secret")).toBeUndefined();
    expect(deliveries()).toEqual([[503, "unavailable", "secrets-manager", "deadline"]]);
  });
});
