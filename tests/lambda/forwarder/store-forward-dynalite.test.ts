/**
 * Store first, forward from the stream, on dynalite: the production adapters (conditional PutItem, PutEvents,
 * the forwarded mark) with the local stream stand-in handing each INSERT to the real forwarder handler, and
 * the fake EventBridge. Calls are counted on the real clients.
 */

import { reforward } from "../../../cli/reforward";
import { DynamoDbEventStore } from "../../../lambda/aws/event-store";
import type { AwsJsonClient } from "../../../lambda/aws/json-client";
import { SecretsManagerSecretSource } from "../../../lambda/aws/secret-source";
import { buildAwsForwarder, createForwarderHandler } from "../../../lambda/forwarder";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalStream,
  localForwarderEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
  startLocalStream,
} from "../../../local";
import { createReceiver, type Receive } from "../../../lambda/receiver/receive";
import { clientFor } from "../../support/local-aws";
import { EVENT, SECRET, signedRequest } from "../../support/events";
import { ManualClock, T0 } from "../../support/ports";

const TTL_SECONDS = 604_800;
const BUS = "lemon-bus";

interface World {
  readonly stream: LocalStream;
  readonly eb: FakeEventBridge;
  readonly sm: FakeSecretsManager;
  readonly dynamodb: AwsJsonClient;
  readonly receive: Receive;
  readonly forwarderLines: string[];
}

async function startWorld(streamOptions: { maxAttempts?: number } = {}): Promise<World> {
  const stream = await startLocalStream({
    dynamo: await startLocalDynamo(),
    retryDelayMs: 1,
    ...streamOptions,
  });
  const eb = await startFakeEventBridge();
  const sm = await startFakeSecretsManager({
    versions: [{ secret: SECRET, createdAt: new Date(T0 - 86_400_000) }],
  });
  const dynamodb = clientFor("dynamodb", stream.dynamo.endpoint);
  const clock = new ManualClock(T0);
  const receive = createReceiver({
    config: { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 },
    secrets: new SecretsManagerSecretSource(clientFor("secrets-manager", sm.endpoint), sm.arn),
    store: new DynamoDbEventStore(dynamodb, stream.dynamo.tableName, TTL_SECONDS),
    clock,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { record: () => {} },
  });
  const forwarderLines: string[] = [];
  const write = (line: string) => forwarderLines.push(line);
  stream.attach(
    createForwarderHandler(
      () =>
        buildAwsForwarder({
          env: localForwarderEnv({ eventBridge: eb, dynamo: stream.dynamo, eventBusName: BUS }),
          write,
          clock: { now: () => Date.now() },
        }),
      write,
    ),
  );
  return { stream, eb, sm, dynamodb, receive, forwarderLines };
}

async function stopWorld(world: World): Promise<void> {
  await world.stream.close();
  await world.eb.close();
  await world.sm.close();
}

const uniqueBody = (() => {
  let n = 0;
  return () => {
    n += 1;
    return JSON.stringify({ ...EVENT, id: `evt_dyn${n}_${Date.now()}` });
  };
})();
const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;

describe("Store first, forward from the stream (dynalite + local stream + fake EventBridge)", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => stopWorld(world));

  it("stores and forwards exactly once when 50 copies of one event arrive at the same time", async () => {
    // Prepare
    const body = uniqueBody();

    // Act
    const responses = await Promise.all(Array.from({ length: 50 }, () => world.receive(signedRequest(body))));
    await world.stream.idle();

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    expect(responses.filter((r) => r.body === '{"status":"stored"}')).toHaveLength(1);
    expect(responses.filter((r) => r.body === '{"status":"duplicate"}')).toHaveLength(49);
    expect(world.stream.records.map((r) => r.eventName)).toEqual(["INSERT"]);
    expect(world.eb.putEventsCalls).toBe(1);
    expect(world.eb.entries.map((e) => [e.source, e.detailType, e.detail, e.eventBusName])).toEqual([
      ["lemon.markets", EVENT.type, body, BUS],
    ]);
  });

  it("makes exactly one AWS call, one DynamoDB PutItem, before the 200 of a new event (warm secret cache)", async () => {
    // Prepare
    await world.receive(signedRequest(uniqueBody()));
    const calls = jest.spyOn(world.dynamodb, "call");
    const secretCallsBefore = world.sm.calls.length;
    const body = uniqueBody();

    // Act
    const response = await world.receive(signedRequest(body));

    // Assess
    expect(response.body).toBe('{"status":"stored"}');
    expect(calls.mock.calls.map(([operation]) => operation)).toEqual(["PutItem"]);
    expect(world.sm.calls.length - secretCallsBefore).toBe(0);
  });

  it("adds only the secret fetch to that one PutItem when the secret cache is cold", async () => {
    // Prepare
    const calls = jest.spyOn(world.dynamodb, "call");

    // Act
    const response = await world.receive(signedRequest(uniqueBody()));

    // Assess
    expect(response.body).toBe('{"status":"stored"}');
    expect(calls.mock.calls.map(([operation]) => operation)).toEqual(["PutItem"]);
    expect(world.sm.calls.map((c) => c.versionStage)).toEqual(["AWSCURRENT"]);
  });

  it("answers a duplicate with one conditional PutItem and makes no stream record, so nothing is forwarded again", async () => {
    // Prepare
    const body = uniqueBody();
    await world.receive(signedRequest(body));
    await world.stream.idle();
    const calls = jest.spyOn(world.dynamodb, "call");

    // Act
    const response = await world.receive(signedRequest(body));
    await world.stream.idle();

    // Assess
    expect(response.body).toBe('{"status":"duplicate"}');
    expect(
      calls.mock.calls.map(([operation, input]) => [
        operation,
        (input as { ConditionExpression?: string }).ConditionExpression,
      ]),
    ).toEqual([["PutItem", "attribute_not_exists(pk)"]]);
    expect(world.stream.records).toHaveLength(1);
    expect(world.eb.putEventsCalls).toBe(1);
  });

  it("stores the verified bytes with type, created_at, TTL and via, and the forwarder marks forwardedAtMs", async () => {
    // Prepare
    const body = uniqueBody();
    const id = idOf(body);

    // Act
    await world.receive(signedRequest(body));
    await world.stream.idle();

    // Assess
    expect(await world.stream.dynamo.getItem(id)).toEqual({
      pk: { S: id },
      kind: { S: "event" },
      type: { S: EVENT.type },
      createdAt: { S: EVENT.created_at },
      body: { S: body },
      receivedAtMs: { N: String(T0) },
      via: { S: "webhook" },
      expiresAt: { N: String(T0 / 1000 + TTL_SECONDS) },
      forwardedAtMs: { N: expect.stringMatching(/^\d{13}$/) },
    });
  });

  it("retries a batch whose PutEvents failed and forwards its event once", async () => {
    // Prepare
    world.eb.failNext(1, "partial");
    const body = uniqueBody();

    // Act
    await world.receive(signedRequest(body));
    await world.stream.idle();

    // Assess
    expect(world.eb.putEventsCalls).toBe(2);
    expect(world.eb.entries.map((e) => e.detail)).toEqual([body]);
    expect(world.stream.failures).toEqual([]);
    expect(world.stream.invocations()).toBe(2);
  });

  it("keeps forwarding while EventBridge is down: the 200s are stored, and forwarded once it answers again", async () => {
    // Prepare
    world.eb.failNext(2, "unavailable");
    const bodies = [uniqueBody(), uniqueBody(), uniqueBody()];

    // Act
    const responses = await Promise.all(bodies.map((body) => world.receive(signedRequest(body))));
    await world.stream.idle();

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(world.eb.entries.map((e) => e.detail).sort()).toEqual([...bodies].sort());
    expect(world.stream.failures).toEqual([]);
  });
});

describe("A forwarder that gives up (dynalite + local stream)", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld({ maxAttempts: 2 });
  });
  afterEach(() => stopWorld(world));

  it("leaves the event stored without forwardedAtMs, its pointer in the failure record, and reforward puts it on the bus once", async () => {
    // Prepare
    world.eb.failNext(2, "unavailable");
    const body = uniqueBody();
    const id = idOf(body);
    const response = await world.receive(signedRequest(body));
    await world.stream.idle();
    const itemAfterGivingUp = await world.stream.dynamo.getItem(id);
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: {
        AWS_ACCESS_KEY_ID: "AKIDLOCAL",
        AWS_SECRET_ACCESS_KEY: "local-secret-key",
        AWS_ENDPOINT_URL_DYNAMODB: world.stream.dynamo.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: world.eb.endpoint,
      },
      stdout: (line: string) => out.push(line),
      stderr: (line: string) => err.push(line),
      runPulumi: async () =>
        JSON.stringify({
          dedupeTableName: world.stream.dynamo.tableName,
          eventBusName: BUS,
          eventBusArn: `arn:aws:events:eu-central-1:123456789012:event-bus/${BUS}`,
        }),
      now: () => 0,
    };

    // Act
    const dryRun = await reforward({ stack: "dev", fromMs: T0 - 1_000, toMs: T0 + 1_000, dryRun: true }, io);
    const first = await reforward({ stack: "dev", fromMs: T0 - 1_000, toMs: T0 + 1_000, dryRun: false }, io);
    const second = await reforward({ stack: "dev", fromMs: T0 - 1_000, toMs: T0 + 1_000, dryRun: false }, io);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(world.stream.failures).toEqual([
      expect.objectContaining({ condition: "RetryAttemptsExhausted", batchSize: 1, eventIds: [id] }),
    ]);
    expect(itemAfterGivingUp?.forwardedAtMs).toBeUndefined();
    expect(itemAfterGivingUp?.body).toEqual({ S: body });
    expect([dryRun, first, second]).toEqual([0, 0, 0]);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `1 event in ${world.stream.dynamo.tableName} stored ${new Date(T0 - 1_000).toISOString()} … ${new Date(T0 + 1_000).toISOString()} not marked forwarded.`,
      `  ${id} ${EVENT.type} created ${EVENT.created_at}, stored ${new Date(T0).toISOString()} via webhook`,
      "Dry run: nothing sent.",
      `1 event in ${world.stream.dynamo.tableName} stored ${new Date(T0 - 1_000).toISOString()} … ${new Date(T0 + 1_000).toISOString()} not marked forwarded.`,
      "Warning: consumers receive these events again if they had them by another way; they must be idempotent on detail.id.",
      `Re-forwarded 1 of 1 to bus ${BUS}; marked 1 forwarded.`,
      `0 events in ${world.stream.dynamo.tableName} stored ${new Date(T0 - 1_000).toISOString()} … ${new Date(T0 + 1_000).toISOString()} not marked forwarded.`,
    ]);
    expect(world.eb.entries.map((e) => [e.source, e.detailType, e.detail])).toEqual([
      ["lemon.markets", EVENT.type, body],
    ]);
    expect((await world.stream.dynamo.getItem(id))?.forwardedAtMs).toEqual({
      N: expect.stringMatching(/^\d+$/),
    });
  });
});
