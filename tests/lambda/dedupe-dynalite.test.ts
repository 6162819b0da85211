import { DynamoDbDedupeStore } from "../../lambda/aws/dedupe-store";
import { EventBridgeEventSink } from "../../lambda/aws/event-sink";
import {
  type FakeEventBridge,
  type LocalDynamo,
  startFakeEventBridge,
  startLocalDynamo,
} from "../../lambda/local";
import { createReceiver, type Receive } from "../../lambda/receive";
import { clientFor, DEAD_ENDPOINT } from "./support/aws";
import { EVENT, SECRET, signedRequest } from "./support/events";
import { ManualClock, MemorySecretSource, T0 } from "./support/ports";

const TTL_SECONDS = 604_800;
const LEASE_SECONDS = 60;

describe("Dedupe on DynamoDB (dynalite) with forwarding to the fake EventBridge", () => {
  let dynamo: LocalDynamo;
  let eb: FakeEventBridge;
  let store: DynamoDbDedupeStore;
  let clock: ManualClock;
  let receive: Receive;

  function receiverWith(dedupeEndpoint: string): Receive {
    return createReceiver({
      config: { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 },
      secrets: new MemorySecretSource({ value: SECRET, createdAt: new Date(T0 - 90 * 86_400_000) }),
      dedupe: new DynamoDbDedupeStore(clientFor("dynamodb", dedupeEndpoint), dynamo.tableName, {
        ttlSeconds: TTL_SECONDS,
        leaseSeconds: LEASE_SECONDS,
      }),
      sink: new EventBridgeEventSink(clientFor("eventbridge", eb.endpoint), "lemon-bus"),
      clock,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      metrics: { record: () => {} },
    });
  }

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(async () => {
    eb = await startFakeEventBridge();
    clock = new ManualClock(T0);
    store = new DynamoDbDedupeStore(clientFor("dynamodb", dynamo.endpoint), dynamo.tableName, {
      ttlSeconds: TTL_SECONDS,
      leaseSeconds: LEASE_SECONDS,
    });
    receive = receiverWith(dynamo.endpoint);
  });
  afterEach(() => eb.close());

  const uniqueBody = (() => {
    let n = 0;
    return () => {
      n += 1;
      return JSON.stringify({ ...EVENT, id: `evt_dyn${n}_${Date.now()}` });
    };
  })();

  it("forwards exactly once when 50 copies of one event arrive at the same time", async () => {
    // Prepare
    const body = uniqueBody();

    // Act
    const first = await Promise.all(Array.from({ length: 50 }, () => receive(signedRequest(body))));
    const retried = await Promise.all(
      first.filter((r) => r.statusCode !== 200).map(() => receive(signedRequest(body))),
    );

    // Assess
    const statuses = first.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200 || s === 409)).toHaveLength(50);
    expect(first.filter((r) => r.body === '{"status":"forwarded"}')).toHaveLength(1);
    expect(retried.map((r) => r.body)).toEqual(retried.map(() => '{"status":"duplicate"}'));
    expect(eb.putEventsCalls).toBe(1);
    expect(eb.entries.map((e) => e.detail)).toEqual([body]);
  });

  it("records the forwarded event as done with its TTL in epoch seconds", async () => {
    // Prepare
    const body = uniqueBody();
    const id = (JSON.parse(body) as { id: string }).id;

    // Act
    await receive(signedRequest(body));

    // Assess
    expect(await dynamo.getItem(id)).toEqual({
      pk: { S: id },
      status: { S: "done" },
      token: { S: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      leaseUntilMs: { N: String(T0 + LEASE_SECONDS * 1000) },
      expiresAt: { N: String(T0 / 1000 + TTL_SECONDS) },
    });
  });

  it("releases the claim when forwarding fails, so the redelivery is forwarded", async () => {
    // Prepare
    const body = uniqueBody();
    const id = (JSON.parse(body) as { id: string }).id;
    eb.failNext(1, "partial");

    // Act
    const failed = await receive(signedRequest(body));
    const itemAfterFailure = await dynamo.getItem(id);
    const redelivered = await receive(signedRequest(body));

    // Assess
    expect(failed.statusCode).toBe(503);
    expect(itemAfterFailure).toBeUndefined();
    expect(redelivered.body).toBe('{"status":"forwarded"}');
    expect(eb.putEventsCalls).toBe(2);
    expect(eb.entries).toHaveLength(1);
  });

  it("answers 409 to a duplicate while the first holder is forwarding, then 200 once it is done", async () => {
    // Prepare
    const body = uniqueBody();
    const id = (JSON.parse(body) as { id: string }).id;
    const holder = await store.claim(id, clock.now());
    if (holder.outcome !== "claimed") throw new Error("expected the first claim to win");

    // Act
    const whileInFlight = await receive(signedRequest(body));
    await store.complete(id, holder.token);
    const afterDone = await receive(signedRequest(body));

    // Assess
    expect(whileInFlight.statusCode).toBe(409);
    expect(whileInFlight.headers["retry-after"]).toBe("5");
    expect(afterDone.body).toBe('{"status":"duplicate"}');
    expect(eb.putEventsCalls).toBe(0);
  });

  it("takes over a claim whose holder died mid-forward once its lease has expired", async () => {
    // Prepare
    const body = uniqueBody();
    const id = (JSON.parse(body) as { id: string }).id;
    const dead = await store.claim(id, clock.now());
    clock.advance(LEASE_SECONDS * 1000 - 1);
    const beforeExpiry = await receive(signedRequest(body));

    // Act
    clock.advance(1);
    const afterExpiry = await receive(signedRequest(body));
    if (dead.outcome === "claimed") await store.complete(id, dead.token); // the zombie wakes up: no effect

    // Assess
    expect(beforeExpiry.statusCode).toBe(409);
    expect(beforeExpiry.headers["retry-after"]).toBe("1");
    expect(afterExpiry.body).toBe('{"status":"forwarded"}');
    expect(eb.entries).toHaveLength(1);
    expect((await dynamo.getItem(id))?.status).toEqual({ S: "done" });
  });

  it("lets only one of two concurrent takeovers of an expired claim forward", async () => {
    // Prepare
    const id = `evt_takeover_${Date.now()}`;
    await store.claim(id, T0);

    // Act
    const results = await Promise.all([store.claim(id, T0 + 61_000), store.claim(id, T0 + 61_000)]);

    // Assess
    expect(results.map((r) => r.outcome).sort()).toEqual(["claimed", "in-flight"]);
  });

  it("answers 503 when DynamoDB is unreachable and forwards nothing", async () => {
    // Prepare
    const unreachable = receiverWith(DEAD_ENDPOINT);

    // Act
    const response = await unreachable(signedRequest(uniqueBody()));

    // Assess
    expect(response.statusCode).toBe(503);
    expect(eb.putEventsCalls).toBe(0);
  });
});
