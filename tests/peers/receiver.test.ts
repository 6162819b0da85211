/**
 * The built receiver bundle against moto (DynamoDB, Secrets Manager, EventBridge with a real rule and an SQS
 * target) instead of our stand-ins: forwarding as docs/receiver.md ("What is forwarded") promises it, and
 * dedupe under 50 concurrent copies of one event.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { ApiGatewayV2Result } from "../../lambda/apigw";
import { signedApiGatewayEvent } from "../lambda/support/apigw";
import { SECRET } from "../lambda/support/events";
import { type DeliveredEvent, PeerAws, uniqueName } from "./support/aws";
import { type LambdaContainer, RECEIVER_BUNDLE, receiverEnv, startContainer } from "./support/bundles";
import { type RecordingProxy, startRecordingProxy } from "./support/recording-proxy";

const COPIES = 50;

/** An event with odd but valid JSON formatting, so "the bytes exactly as received" is a real claim. */
function eventBody(id: string): string {
  return `{"id":"${id}", "type":"account.created","created_at":"2026-07-20T10:00:00.523373+00:00",\n  "context":{"account":"cusa_33531f7f801d4ce997747470ab7208fd","note":"Gr\\u00fc\u00dfe \u20ac"}}`;
}

describe("The receiver bundle against moto", () => {
  const aws = new PeerAws();
  let tableName: string;
  let secretArn: string;
  let bus: { eventBusName: string; queueUrl: string };
  let eventBridgeProxy: RecordingProxy;

  beforeAll(async () => {
    tableName = await aws.createDedupeTable({ stream: true });
    const created = await aws.secretsManager.send(
      new CreateSecretCommand({ Name: uniqueName("lemon-signature"), SecretString: SECRET }),
    );
    secretArn = created.ARN!;
    bus = await aws.busWithQueue();
    eventBridgeProxy = await startRecordingProxy(aws.endpoint);
  });

  afterAll(async () => {
    await eventBridgeProxy.close();
    aws.destroy();
  });

  /** The bundle's env: moto for everything, EventBridge through the recording proxy. */
  function env(): Record<string, string> {
    return {
      ...receiverEnv({ endpoint: aws.endpoint, secretArn, tableName, eventBusName: bus.eventBusName }),
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeProxy.endpoint,
    };
  }

  function putEventsCalls(eventId: string) {
    return eventBridgeProxy.calls.filter(
      (c) => c.target === "AWSEvents.PutEvents" && c.body.includes(eventId),
    );
  }

  it("forwards a verified delivery through a real rule to an SQS queue with source, detail-type, time and the verified bytes as detail", async () => {
    // Prepare
    const id = `evt_${uniqueName("forward").replace("-", "_")}`;
    const body = eventBody(id);
    const container = await startContainer(RECEIVER_BUNDLE, env());

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(signedApiGatewayEvent(body, "req-forward"));
      const messages = await aws.drainQueue(bus.queueUrl, 1);

      // Assess
      expect(result).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"status":"forwarded"}',
      });
      // On the wire: one entry, Detail = the verified bytes, Time = created_at in epoch seconds.
      const calls = putEventsCalls(id);
      expect(calls).toHaveLength(1);
      expect(JSON.parse(calls[0]!.body)).toEqual({
        Entries: [
          {
            EventBusName: bus.eventBusName,
            Source: "lemon.markets",
            DetailType: "account.created",
            Detail: body,
            Time: Date.parse("2026-07-20T10:00:00.523Z") / 1000,
          },
        ],
      });
      // At the consumer: the event EventBridge built from it, matched by the rule on `source`.
      expect(messages).toHaveLength(1);
      const delivered = JSON.parse(messages[0]!.Body) as DeliveredEvent;
      expect(delivered.source).toBe("lemon.markets");
      expect(delivered["detail-type"]).toBe("account.created");
      // EventBridge keeps whole seconds of `Time`.
      expect(delivered.time).toBe("2026-07-20T10:00:00Z");
      expect(delivered.region).toBe("eu-central-1");
      expect(delivered.resources).toEqual([]);
      // EventBridge parses Detail and delivers it as a JSON value: equal to the received event, not its bytes.
      expect(delivered.detail).toEqual(JSON.parse(body));
      // The dedupe item is marked done in moto's table.
      expect(await aws.item(tableName, id)).toMatchObject({ pk: { S: id }, status: { S: "done" } });
    } finally {
      await container.close();
    }
  });

  it(`forwards exactly once when ${COPIES} concurrent copies of one event reach ${COPIES} containers at once`, async () => {
    // Prepare: every container loaded (init done) before any copy is sent, so the copies really overlap.
    const id = `evt_${uniqueName("dedupe").replace("-", "_")}`;
    const body = eventBody(id);
    const containers: LambdaContainer[] = [];
    try {
      for (let i = 0; i < COPIES; i += 5) {
        containers.push(
          ...(await Promise.all(Array.from({ length: 5 }, () => startContainer(RECEIVER_BUNDLE, env())))),
        );
      }

      // Act
      const first = await Promise.all(
        containers.map((c, i) =>
          c.invoke<ApiGatewayV2Result>(signedApiGatewayEvent(body, `req-copy-${i}`), 60_000),
        ),
      );
      // lemon.markets retries every non-200: redeliver the 409s (bounded) until each copy has its 200.
      const finals = [...first];
      for (let round = 0; round < 10 && finals.some((r) => r.statusCode !== 200); round += 1) {
        for (const [i, r] of finals.entries()) {
          if (r.statusCode === 200) continue;
          finals[i] = await containers[i]!.invoke<ApiGatewayV2Result>(
            signedApiGatewayEvent(body, `req-retry-${round}-${i}`),
            60_000,
          );
        }
      }
      const messages = await aws.drainQueue(bus.queueUrl, 1);

      // Assess
      const firstBodies = first.map((r) => `${r.statusCode} ${r.body}`);
      expect(firstBodies.filter((b) => b === '200 {"status":"forwarded"}')).toHaveLength(1);
      // The others: already forwarded, being forwarded, or (a call cut off on a slow machine) try again.
      const retryable = [
        '200 {"status":"duplicate"}',
        '409 {"error":"in_flight"}',
        '503 {"error":"temporarily_unavailable"}',
      ];
      expect(firstBodies.filter((b) => !retryable.includes(b))).toEqual(['200 {"status":"forwarded"}']);
      expect(finals.map((r) => r.statusCode)).toEqual(Array(COPIES).fill(200));
      expect(putEventsCalls(id)).toHaveLength(1);
      expect(messages).toHaveLength(1);
      expect((JSON.parse(messages[0]!.Body) as DeliveredEvent).detail).toEqual(JSON.parse(body));
      expect(await aws.item(tableName, id)).toMatchObject({ status: { S: "done" } });
      // The table's stream saw the claim land once (one INSERT) and the done mark (one MODIFY): the property a
      // stream-driven forwarder would rely on. The 49 failed conditional writes left no record.
      const records = (await aws.streamRecords(tableName)).filter((r) => r.dynamodb.Keys.pk.S === id);
      expect(records.map((r) => [r.eventName, r.dynamodb.NewImage?.status])).toEqual([
        ["INSERT", { S: "pending" }],
        ["MODIFY", { S: "done" }],
      ]);
    } finally {
      await Promise.all(containers.map((c) => c.close()));
    }
  });
  /** A pending claim left in moto's table by "another invocation" (written with the SDK). */
  async function leavePendingClaim(id: string, leaseUntilMs: number): Promise<void> {
    await aws.dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: id },
          status: { S: "pending" },
          token: { S: "token-of-another-invocation" },
          leaseUntilMs: { N: String(leaseUntilMs) },
          expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) },
        },
      }),
    );
  }

  it("answers 409 with Retry-After while another invocation's claim is live, forwarding nothing", async () => {
    // Prepare
    const id = `evt_${uniqueName("inflight").replace("-", "_")}`;
    await leavePendingClaim(id, Date.now() + 60_000);
    const container = await startContainer(RECEIVER_BUNDLE, env());

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(
        signedApiGatewayEvent(eventBody(id), "req-409"),
      );

      // Assess
      expect(result).toEqual({
        statusCode: 409,
        headers: { "content-type": "application/json", "retry-after": "5" },
        body: '{"error":"in_flight"}',
      });
      expect(putEventsCalls(id)).toEqual([]);
      expect(await aws.item(tableName, id)).toMatchObject({
        status: { S: "pending" },
        token: { S: "token-of-another-invocation" },
      });
    } finally {
      await container.close();
    }
  });

  it("takes over a claim whose lease ran out (conditional UpdateItem on the old token) and forwards once", async () => {
    // Prepare
    const id = `evt_${uniqueName("takeover").replace("-", "_")}`;
    await leavePendingClaim(id, Date.now() - 1_000);
    const container = await startContainer(RECEIVER_BUNDLE, env());

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(
        signedApiGatewayEvent(eventBody(id), "req-take"),
      );
      const messages = await aws.drainQueue(bus.queueUrl, 1);

      // Assess
      expect(result.body).toBe('{"status":"forwarded"}');
      expect(putEventsCalls(id)).toHaveLength(1);
      expect(messages.map((m) => (JSON.parse(m.Body) as DeliveredEvent).detail)).toEqual([
        JSON.parse(eventBody(id)),
      ]);
      const item = await aws.item(tableName, id);
      expect(item?.status).toEqual({ S: "done" });
      expect(item?.token?.S).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await container.close();
    }
  });

  it("answers 503 and gives the claim back when PutEvents is rejected as a whole", async () => {
    // Prepare: moto rejects PutEvents for a bus that does not exist (400 ResourceNotFoundException). AWS itself
    // does not: it accepts such entries and drops them (aws/aws-cli#9186), as our fake EventBridge does; the
    // component always passes the bus it created. Here the missing bus is just a way to get a whole-call rejection.
    const id = `evt_${uniqueName("release").replace("-", "_")}`;
    const container = await startContainer(RECEIVER_BUNDLE, {
      ...env(),
      LEMON_EVENT_BUS_NAME: uniqueName("no-such-bus"),
    });

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(
        signedApiGatewayEvent(eventBody(id), "req-503"),
      );

      // Assess
      expect(result).toEqual({
        statusCode: 503,
        headers: { "content-type": "application/json" },
        body: '{"error":"temporarily_unavailable"}',
      });
      const logged = container.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === "delivery");
      expect(logged).toMatchObject({
        outcome: "unavailable",
        dependency: "eventbridge",
        errorCode: "ResourceNotFoundException",
      });
      // Released: the redelivery can claim afresh.
      expect(await aws.item(tableName, id)).toBeUndefined();
    } finally {
      await container.close();
    }
  });
});
