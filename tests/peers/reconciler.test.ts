/**
 * Reconciler recovery against moto: the emulator holds events whose webhook deliveries were exhausted while the
 * receiver was down; the built reconciler bundle reads its API key from moto's Secrets Manager, pages
 * `GET /v1/events`, stores its watermark and exactly the missed events in moto's DynamoDB table; their INSERT
 * records, read with moto's Streams API, go to the built forwarder bundle and through moto's EventBridge to a
 * real rule's SQS queue. The receiver is the built bundle too, in its own container behind the local API
 * Gateway adapter, so the events it did get are stored in the same moto table.
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { type Emulator, type LemonEvent, startEmulator } from "../../emulator";
import { type HttpAdapter, startHttpAdapter } from "../../local";
import { WATERMARK_KEY } from "../../lambda/reconciler/watermark";
import { type DeliveredEvent, PeerAws, uniqueName } from "../support/peers/aws";
import {
  FORWARDER_BUNDLE,
  forwarderEnv,
  type LambdaContainer,
  RECEIVER_BUNDLE,
  RECONCILER_BUNDLE,
  receiverEnv,
  reconcilerEnv,
  startContainer,
} from "../support/peers/bundles";
import { forwardFromStream } from "../support/peers/stream";

const API_KEY = `lm-peer-${uniqueName("key")}`;
const SUBSCRIBED = ["order.executed", "account.created"] as const;

interface Summary {
  readonly outcome: string;
  readonly scanned: number;
  readonly recovered: number;
  readonly alreadyStored: number;
  readonly ignored: number;
  readonly invalid: number;
  readonly watermarkMs?: number;
  readonly watermarkMoved: boolean;
}

describe("The reconciler bundle against moto and the emulator", () => {
  const aws = new PeerAws();
  let emulator: Emulator;
  let adapter: HttpAdapter;
  let receiver: LambdaContainer | undefined;
  let forwarder: LambdaContainer | undefined;
  let down = false;
  let tableName: string;
  let bus: { eventBusName: string; queueUrl: string };
  let apiKeySecretArn: string;

  beforeAll(async () => {
    tableName = await aws.createDedupeTable({ stream: true });
    bus = await aws.busWithQueue();
    apiKeySecretArn = (
      await aws.secretsManager.send(
        new CreateSecretCommand({ Name: uniqueName("lemon-reconciler-api-key"), SecretString: API_KEY }),
      )
    ).ARN!;
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: 15,
      delivery: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 20_000 },
    });
    adapter = await startHttpAdapter({
      path: "/webhooks/lemon-markets",
      handler: async (event) =>
        receiver === undefined || down
          ? { statusCode: 503, body: '{"message":"Service Unavailable"}' }
          : receiver.invoke(event),
    });
    // Registered as WebhookRegistration does; the returned secret goes to moto as the component stores it.
    const registered = await fetch(`${emulator.baseUrl}/webhooks`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_KEY}`,
        "content-type": "application/json",
        "LMG-Data-Privacy-Access-Principal": "peer-suite",
        "LMG-Data-Privacy-Access-Justification": "webhook-setup",
      },
      body: JSON.stringify({ url: adapter.url, events: SUBSCRIBED }),
    });
    const { signature_secret } = (await registered.json()) as { signature_secret: string };
    const signatureSecret = await aws.secretsManager.send(
      new CreateSecretCommand({ Name: uniqueName("lemon-signature"), SecretString: signature_secret }),
    );
    receiver = await startContainer(
      RECEIVER_BUNDLE,
      receiverEnv({ endpoint: aws.endpoint, secretArn: signatureSecret.ARN!, tableName }),
    );
    forwarder = await startContainer(
      FORWARDER_BUNDLE,
      forwarderEnv({ endpoint: aws.endpoint, tableName, eventBusName: bus.eventBusName }),
    );
  });

  afterAll(async () => {
    await emulator.close();
    await Promise.all([adapter.close(), receiver?.close(), forwarder?.close()]);
    aws.destroy();
  });

  it("stores the watermark in the moto table and stores exactly the events whose deliveries were exhausted; the stream forwards them", async () => {
    // Prepare: 3 events delivered, then the receiver is down while 4 subscribed and 1 other event are emitted.
    const delivered = [emulator.emit("order.executed", { account: "cusa_peer_0" })];
    delivered.push(emulator.emit("account.created", { account: "cusa_peer_1" }));
    delivered.push(emulator.emit("order.executed", { account: "cusa_peer_2" }));
    await emulator.waitForDeliveries(60_000);
    await forwardFromStream(
      aws,
      tableName,
      forwarder!,
      delivered.map((e) => e.id),
    );
    const deliveredMessages = await aws.drainQueue(bus.queueUrl, 3);
    down = true;
    emulator.emit("identification.created", { account: "cusa_peer_3" });
    const missed: LemonEvent[] = [];
    for (let i = 0; i < 4; i += 1) {
      missed.push(emulator.emit(SUBSCRIBED[i % 2]!, { account: `cusa_peer_missed_${i}` }));
    }
    await emulator.waitForDeliveries(60_000);
    down = false;
    const exhausted = emulator.deliveries.filter((d) => missed.some((e) => e.id === d.eventId));
    const env = reconcilerEnv({
      endpoint: aws.endpoint,
      apiKeySecretArn,
      tableName,
      eventTypes: SUBSCRIBED,
      apiBaseUrl: emulator.baseUrl,
      // The events were emitted a moment ago; the 5-minute settle time would leave them to their webhook.
      settleSeconds: 0,
    });
    const reconciler = await startContainer(RECONCILER_BUNDLE, env);

    try {
      // Act
      const first = await reconciler.invoke<Summary>({}, 300_000);
      const putBeforeStream = await aws.drainQueue(bus.queueUrl, 0);
      const fromStream = await forwardFromStream(
        aws,
        tableName,
        forwarder!,
        missed.map((e) => e.id),
      );
      const recoveredMessages = await aws.drainQueue(bus.queueUrl, missed.length);
      const watermarkItem = await aws.item(tableName, WATERMARK_KEY);
      const second = await reconciler.invoke<Summary>({}, 300_000);
      const afterSecond = await aws.drainQueue(bus.queueUrl, 0);

      // Assess
      // Webhook deliveries run concurrently: any order.
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
      const deliveredDetails = deliveredMessages.map((m) => (JSON.parse(m.Body) as DeliveredEvent).detail);
      expect((deliveredDetails as LemonEvent[]).sort(byId)).toEqual([...delivered].sort(byId));
      expect(exhausted.map((d) => d.status)).toEqual(Array(missed.length * 2).fill(503));
      expect(first).toMatchObject({
        outcome: "complete",
        scanned: 8,
        recovered: 4,
        alreadyStored: 3,
        ignored: 1,
        invalid: 0,
        watermarkMoved: true,
      });
      // The reconciler itself puts nothing on the bus; its stored events' INSERTs do, through the forwarder.
      expect(putBeforeStream).toEqual([]);
      expect(fromStream.records.map((r) => r.dynamodb.NewImage?.via)).toEqual(
        missed.map(() => ({ S: "reconciler" })),
      );
      expect(fromStream.response).toEqual({ batchItemFailures: [] });
      // Oldest first, each once, with the emulator's bytes as detail (parsed by EventBridge).
      expect(recoveredMessages.map((m) => (JSON.parse(m.Body) as DeliveredEvent).detail)).toEqual(missed);
      expect(recoveredMessages.map((m) => (JSON.parse(m.Body) as DeliveredEvent)["detail-type"])).toEqual(
        missed.map((e) => e.type),
      );
      // The watermark: the newest event the run processed, stored as moto holds it (no TTL attribute).
      const newestMs = Date.parse(missed[missed.length - 1]!.created_at);
      expect(first.watermarkMs).toBe(newestMs);
      expect(watermarkItem).toEqual({
        pk: { S: WATERMARK_KEY },
        watermarkMs: { N: String(newestMs) },
        watermark: { S: new Date(newestMs).toISOString() },
        updatedAtMs: { N: expect.stringMatching(/^\d{13}$/) },
      });
      // The next run re-reads the overlap, finds everything stored and stores nothing.
      expect(second).toMatchObject({ outcome: "complete", recovered: 0, alreadyStored: 7, ignored: 1 });
      expect(second.watermarkMoved).toBe(false);
      expect(afterSecond).toEqual([]);
      for (const event of missed) {
        expect(await aws.item(tableName, event.id)).toMatchObject({
          via: { S: "reconciler" },
          forwardedAtMs: { N: expect.stringMatching(/^\d+$/) },
        });
      }
    } finally {
      await reconciler.close();
    }
  });
});
