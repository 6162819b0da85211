/**
 * The built receiver and forwarder bundles against moto (DynamoDB with its real Streams API, Secrets Manager,
 * EventBridge with a real rule and an SQS target) instead of our stand-ins: a stored item's INSERT record read
 * with GetRecords, handed to the forwarder bundle, reaches the queue as docs/receiver.md ("What is forwarded")
 * promises it; dedupe under 50 concurrent copies of one event.
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { ApiGatewayV2Result } from "../../lambda/receiver/apigw";
import { signedApiGatewayEvent } from "../support/apigw";
import { SECRET } from "../support/events";
import { type DeliveredEvent, PeerAws, uniqueName } from "../support/peers/aws";
import {
  FORWARDER_BUNDLE,
  forwarderEnv,
  type LambdaContainer,
  RECEIVER_BUNDLE,
  receiverEnv,
  startContainer,
} from "../support/peers/bundles";
import { type RecordingProxy, startRecordingProxy } from "../support/peers/recording-proxy";
import { forwardFromStream } from "../support/peers/stream";

const COPIES = 50;

/** An event with odd but valid JSON formatting, so "the bytes exactly as received" is a real claim. */
function eventBody(id: string): string {
  return `{"id":"${id}", "type":"account.created","created_at":"2026-07-20T10:00:00.523373+00:00",\n  "context":{"account":"cusa_33531f7f801d4ce997747470ab7208fd","note":"Gr\\u00fc\u00dfe \u20ac"}}`;
}

describe("The receiver and forwarder bundles against moto", () => {
  const aws = new PeerAws();
  let tableName: string;
  let secretArn: string;
  let bus: { eventBusName: string; queueUrl: string };
  let eventBridgeProxy: RecordingProxy;
  let forwarder: LambdaContainer;

  beforeAll(async () => {
    tableName = await aws.createDedupeTable({ stream: true });
    const created = await aws.secretsManager.send(
      new CreateSecretCommand({ Name: uniqueName("lemon-signature"), SecretString: SECRET }),
    );
    secretArn = created.ARN!;
    bus = await aws.busWithQueue();
    eventBridgeProxy = await startRecordingProxy(aws.endpoint);
    forwarder = await startContainer(FORWARDER_BUNDLE, forwarderEnvFor(bus.eventBusName));
  });

  afterAll(async () => {
    await forwarder.close();
    await eventBridgeProxy.close();
    aws.destroy();
  });

  /** The receiver's env: moto for everything (it has no EventBridge client). */
  function env(): Record<string, string> {
    return receiverEnv({ endpoint: aws.endpoint, secretArn, tableName });
  }

  /** The forwarder's env: moto for everything, EventBridge through the recording proxy. */
  function forwarderEnvFor(eventBusName: string): Record<string, string> {
    return {
      ...forwarderEnv({ endpoint: aws.endpoint, tableName, eventBusName }),
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeProxy.endpoint,
    };
  }

  function putEventsCalls(eventId: string) {
    return eventBridgeProxy.calls.filter(
      (c) => c.target === "AWSEvents.PutEvents" && c.body.includes(eventId),
    );
  }

  it("stores a verified delivery; its INSERT record from GetRecords, handed to the forwarder, reaches an SQS queue through a real rule with source, detail-type, time and the verified bytes as detail", async () => {
    // Prepare
    const id = `evt_${uniqueName("forward").replace("-", "_")}`;
    const body = eventBody(id);
    const container = await startContainer(RECEIVER_BUNDLE, env());

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(signedApiGatewayEvent(body, "req-forward"));
      const putCallsBeforeForwarder = putEventsCalls(id).length;
      const { records, response } = await forwardFromStream(aws, tableName, forwarder, [id]);
      const messages = await aws.drainQueue(bus.queueUrl, 1);

      // Assess
      expect(result).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"status":"stored"}',
      });
      expect(putCallsBeforeForwarder).toBe(0);
      expect(records.map((r) => [r.eventName, r.dynamodb.NewImage?.body])).toEqual([["INSERT", { S: body }]]);
      expect(response).toEqual({ batchItemFailures: [] });
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
      // The stored item is marked forwarded in moto's table.
      expect(await aws.item(tableName, id)).toMatchObject({
        pk: { S: id },
        kind: { S: "event" },
        via: { S: "webhook" },
        forwardedAtMs: { N: expect.stringMatching(/^\d+$/) },
      });
    } finally {
      await container.close();
    }
  });

  it(`stores once and forwards once when ${COPIES} concurrent copies of one event reach ${COPIES} containers at once`, async () => {
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
      // lemon.markets retries every non-200: redeliver (bounded) until each copy has its 200.
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
      const { records: handed, response } = await forwardFromStream(aws, tableName, forwarder, [id]);
      const messages = await aws.drainQueue(bus.queueUrl, 1);

      // Assess
      const bodies = [...first, ...finals].map((r) => `${r.statusCode} ${r.body}`);
      // Stored by exactly one write; every other copy is a duplicate (or, cut off on a slow machine, a 503
      // whose redelivery finds it stored). No 409 exists any more.
      const finalBodies = finals.map((r) => `${r.statusCode} ${r.body}`);
      expect(finalBodies.filter((b) => b === '200 {"status":"stored"}')).toHaveLength(1);
      const allowed = [
        '200 {"status":"stored"}',
        '200 {"status":"duplicate"}',
        '503 {"error":"temporarily_unavailable"}',
      ];
      expect(bodies.filter((b) => !allowed.includes(b))).toEqual([]);
      expect(finals.map((r) => r.statusCode)).toEqual(Array(COPIES).fill(200));
      // The stream saw one INSERT (the 49 failed conditional writes left no record), handed once: one PutEvents.
      expect(handed).toHaveLength(1);
      expect(response).toEqual({ batchItemFailures: [] });
      expect(putEventsCalls(id)).toHaveLength(1);
      expect(messages).toHaveLength(1);
      expect((JSON.parse(messages[0]!.Body) as DeliveredEvent).detail).toEqual(JSON.parse(body));
      // After the forwarder: the INSERT and its mark (a MODIFY, which the mapping's filter drops).
      const records = (await aws.streamRecords(tableName)).filter((r) => r.dynamodb.Keys.pk.S === id);
      expect(records.map((r) => [r.eventName, r.dynamodb.NewImage?.forwardedAtMs === undefined])).toEqual([
        ["INSERT", true],
        ["MODIFY", false],
      ]);
    } finally {
      await Promise.all(containers.map((c) => c.close()));
    }
  });
  it("reports the record back (partial batch response) and marks nothing when PutEvents is rejected as a whole", async () => {
    // Prepare: moto rejects PutEvents for a bus that does not exist (400 ResourceNotFoundException). AWS itself
    // does not: it accepts such entries and drops them (aws/aws-cli#9186), as our fake EventBridge does; the
    // component always passes the bus it created. Here the missing bus is just a way to get a whole-call rejection.
    const id = `evt_${uniqueName("reported").replace("-", "_")}`;
    const container = await startContainer(RECEIVER_BUNDLE, env());
    const lost = await startContainer(FORWARDER_BUNDLE, forwarderEnvFor(uniqueName("no-such-bus")));

    try {
      // Act
      const result = await container.invoke<ApiGatewayV2Result>(
        signedApiGatewayEvent(eventBody(id), "req-stored"),
      );
      const { records, response } = await forwardFromStream(aws, tableName, lost, [id]);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb.SequenceNumber }],
      });
      const logged = lost.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toContainEqual(
        expect.objectContaining({
          msg: "put_events_failed",
          eventId: id,
          errorCode: "ResourceNotFoundException",
        }),
      );
      expect(logged.find((l) => l.Service === "lemon-webhooks-forwarder")).toMatchObject({
        ForwardFailed: 1,
        Forwarded: 0,
      });
      // Still stored, never marked: what `lemon-webhooks reforward` finds once the mapping gives up.
      expect((await aws.item(tableName, id))?.forwardedAtMs).toBeUndefined();
    } finally {
      await Promise.all([container.close(), lost.close()]);
    }
  });
});
