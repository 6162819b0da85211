/**
 * The ambiguous paths of the store-first design, one event each, forced at the fault proxies (applied, then
 * the answer withheld past the client's timeout; applied, then the connection reset; throttled) with the
 * stand-ins in their own process. Replaces the old claim/lease bookkeeping regression test: in this design
 * there is no release or done mark before the 200 whose failure could strand or double an event; what is
 * left to prove is that an ambiguous write is resolved by the redelivery's condition, that the forwarder
 * resends only what it was not told was accepted, and that a lost forwarded mark causes no resend.
 */
import { randomUUID } from "node:crypto";
import type { ApiGatewayV2Event } from "../../lambda/receiver/apigw";
import { buildAwsReceiver, createHandler, type Handler } from "../../lambda/receiver/handler";
import type { CallRecord, InjectedFault } from "../../local/fault-proxy";
import { LOCAL_CREDENTIALS } from "../../local/local-dynamo";
import { sign } from "../../contract/signature";
import { judge } from "../support/reliability/oracle";
import { type StandIns, startStandIns } from "../support/reliability/stand-ins";

const SECRET = "ambiguity-suite-signature-secret";

function delivery(id: string): ApiGatewayV2Event {
  const body = JSON.stringify({
    id,
    type: "order.executed",
    created_at: "2026-12-01T20:00:00.000+00:00",
    context: { order: `ord_${id}` },
  });
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "ANY /webhooks/lemon-markets",
    rawPath: "/webhooks/lemon-markets",
    rawQueryString: "",
    headers: { "content-type": "application/json", "lemon-markets-signature": sign(body, SECRET) },
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: {
        method: "POST",
        path: "/webhooks/lemon-markets",
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.9",
        userAgent: "lemon",
      },
      requestId: randomUUID(),
      routeKey: "ANY /webhooks/lemon-markets",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

describe("Reliability: ambiguous calls of the store-first design", () => {
  let standIns: StandIns;
  let handler: Handler;
  const lines: string[] = [];

  beforeAll(async () => {
    standIns = await startStandIns({
      seed: 7,
      dynamoRates: {},
      eventBridgeRates: {},
      holdMs: 12_000,
      forward: true,
    });
    const { endpoints } = standIns;
    await standIns.putSecret(SECRET);
    const env = {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      LEMON_SIGNATURE_SECRET_ARN: endpoints.secretArn,
      LEMON_DEDUPE_TABLE: endpoints.tableName,
    };
    handler = createHandler(() =>
      buildAwsReceiver({ env, write: (line) => lines.push(line), clock: { now: () => Date.now() } }),
    );
  }, 30_000);

  afterAll(async () => {
    await standIns.close();
  });

  /** Delivers `id` until a 200 (as lemon.markets retries), then waits until the pipeline is idle. */
  async function deliverUntilAccepted(id: string): Promise<number[]> {
    const statuses: number[] = [];
    while (statuses.at(-1) !== 200 && statuses.length < 10)
      statuses.push((await handler(delivery(id))).statusCode);
    return statuses;
  }

  async function settled(ids: readonly string[]) {
    for (;;) {
      const snapshot = await standIns.snapshot();
      const { dynamodb, eventbridge, stream } = snapshot.pending;
      if (dynamodb + eventbridge + stream === 0 && ids.every((id) => snapshot.bus.includes(id)))
        return snapshot;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function handedOver(id: string) {
    for (;;) {
      const snapshot = await standIns.snapshot();
      if (snapshot.bus.includes(id) || snapshot.puttingNow.includes(id)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const callsFor = (calls: readonly CallRecord[], operation: string, id: string) =>
    calls
      .filter((call) => call.operation === operation && call.keys.includes(id))
      .map((call) => ({ fault: call.fault, applied: call.applied.includes(id), delivered: call.delivered }));

  const forced = async (
    service: "dynamodb" | "eventbridge",
    operation: string,
    fault: InjectedFault,
    id: string,
  ) => standIns.force(service, operation, [fault], id);

  it("resolves every ambiguity of a write or a put without a loss and with only the causally allowed double", async () => {
    // Prepare: one event per path; all run at once so the forwarder's 10 s timeouts overlap.
    const ids = {
      putItemLate: "evt_ambiguity_putitem_late",
      putItemReset: "evt_ambiguity_putitem_reset",
      putItemThrottle: "evt_ambiguity_putitem_throttle",
      putEventsThrottle: "evt_ambiguity_putevents_throttle",
      putEventsLate: "evt_ambiguity_putevents_late",
      markReset: "evt_ambiguity_mark_reset",
    };
    await forced("dynamodb", "PutItem", "late", ids.putItemLate);
    await forced("dynamodb", "PutItem", "reset", ids.putItemReset);
    await forced("dynamodb", "PutItem", "throttle", ids.putItemThrottle);
    await forced("eventbridge", "PutEvents", "late", ids.putEventsLate);
    await forced("eventbridge", "PutEvents", "throttle", ids.putEventsThrottle);
    await forced("dynamodb", "UpdateItem", "reset", ids.markReset);

    // Act: one after another, each once the one before is on the bus, so each PutEvents carries one event and
    // a fault hits only its own. The stream has one shard: while the late put is held (the forwarder gives up
    // after 10 s), the last event queues behind it and is retried in one batch with it. The mark's ambiguity
    // is a reset, not a late answer, so the run waits for one 10 s timeout, not two.
    const statuses: Record<string, number[]> = {};
    for (const [name, id] of Object.entries(ids)) {
      statuses[name] = await deliverUntilAccepted(id);
      if (id === ids.putEventsLate) await handedOver(id);
      else await settled([id]);
    }
    const snapshot = await settled(Object.values(ids));
    const stored = await standIns.stored();

    // Assess: the receiver answers an ambiguous write 503; the redelivery finds the item (condition failed)
    // and answers 200 without a second write landing.
    expect(statuses).toEqual({
      putItemLate: [503, 200],
      putItemReset: [503, 200],
      putItemThrottle: [503, 200],
      putEventsLate: [200],
      putEventsThrottle: [200],
      markReset: [200],
    });
    const dynamoCalls = snapshot.dynamoCalls;
    expect(callsFor(dynamoCalls, "PutItem", ids.putItemLate)).toEqual([
      { fault: "late", applied: true, delivered: false },
      { fault: undefined, applied: false, delivered: true },
    ]);
    expect(callsFor(dynamoCalls, "PutItem", ids.putItemReset)).toEqual([
      { fault: "reset", applied: true, delivered: false },
      { fault: undefined, applied: false, delivered: true },
    ]);
    expect(callsFor(dynamoCalls, "PutItem", ids.putItemThrottle)).toEqual([
      { fault: "throttle", applied: false, delivered: true },
      { fault: undefined, applied: true, delivered: true },
    ]);
    // The forwarder: a put applied but unanswered is resent (the one allowed double); a throttled put is
    // resent once; a lost forwarded mark is logged, not reported, so nothing is resent.
    const puts = snapshot.eventBridgeCalls;
    expect(callsFor(puts, "PutEvents", ids.putEventsLate)).toEqual([
      { fault: "late", applied: true, delivered: false },
      { fault: undefined, applied: true, delivered: true },
    ]);
    expect(callsFor(puts, "PutEvents", ids.putEventsThrottle)).toEqual([
      { fault: "throttle", applied: false, delivered: true },
      { fault: undefined, applied: true, delivered: true },
    ]);
    expect(callsFor(dynamoCalls, "UpdateItem", ids.markReset)).toEqual([
      { fault: "reset", applied: true, delivered: false },
    ]);
    const copies = Object.fromEntries(
      Object.entries(ids).map(([name, id]) => [name, snapshot.bus.filter((entry) => entry === id).length]),
    );
    expect(copies).toEqual({
      putItemLate: 1,
      putItemReset: 1,
      putItemThrottle: 1,
      putEventsLate: 2,
      putEventsThrottle: 1,
      markReset: 1,
    });
    const verdict = judge({
      acknowledged: new Set(Object.values(ids)),
      stored: new Set(stored.map((item) => item.id)),
      bus: snapshot.bus,
      putEventsCalls: puts,
      quiesced: true,
      lateAfterMs: 9_000,
    });
    expect(verdict).toEqual(
      expect.objectContaining({ lost: [], unexplainedDoubles: [], allowedDoubles: [ids.putEventsLate] }),
    );
    expect(
      lines
        .map((line) => JSON.parse(line) as { status?: number; errorCode?: string })
        .filter((r) => r.status === 503)
        .map((r) => r.errorCode),
    ).toEqual(["timeout", "network", "ProvisionedThroughputExceededException"]);
  }, 60_000);

  it("stores 50 concurrent copies of one event once and puts it on the bus once", async () => {
    // Act
    const id = "evt_ambiguity_fifty_copies";
    const answers = await Promise.all(Array.from({ length: 50 }, () => handler(delivery(id))));
    const snapshot = await settled([id]);

    // Assess: every copy answered 200 (one stored, 49 duplicates); one INSERT, one PutEvents.
    const bodies = answers.map((answer) => (JSON.parse(answer.body ?? "{}") as { status?: string }).status);
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(50).fill(200));
    expect(bodies.filter((status) => status === "stored")).toHaveLength(1);
    expect(callsFor(snapshot.dynamoCalls, "PutItem", id).filter((call) => call.applied)).toHaveLength(1);
    expect(callsFor(snapshot.eventBridgeCalls, "PutEvents", id)).toEqual([
      { fault: undefined, applied: true, delivered: true },
    ]);
    expect(snapshot.bus.filter((entry) => entry === id)).toEqual([id]);
  }, 30_000);
});
