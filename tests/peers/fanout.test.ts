/**
 * The component's EventBridge patterns (components/receiver/fanout.ts `eventPattern`: the archive's, and each
 * `subscribe({ eventTypes })` rule's) on moto's pattern matcher, against events the built receiver bundle
 * forwarded: what a subscription receives, and that the replay archive keeps them and a replay delivers them.
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { eventPattern } from "../../components/receiver/fanout";
import type { ApiGatewayV2Result } from "../../lambda/receiver/apigw";
import { signedApiGatewayEvent } from "../support/apigw";
import { eventBody, SECRET } from "../support/events";
import { type DeliveredEvent, PeerAws, uniqueName } from "../support/peers/aws";
import {
  FORWARDER_BUNDLE,
  forwarderEnv,
  type LambdaContainer,
  RECEIVER_BUNDLE,
  receiverEnv,
  startContainer,
} from "../support/peers/bundles";
import { forwardFromStream } from "../support/peers/stream";

describe("The component's event patterns on moto, with events the bundles stored and forwarded", () => {
  const aws = new PeerAws();
  let eventBusName: string;
  let busArn: string;
  let receiver: LambdaContainer;
  let forwarder: LambdaContainer;
  let tableName: string;
  let n = 0;

  beforeAll(async () => {
    tableName = await aws.createDedupeTable({ stream: true });
    const secret = await aws.secretsManager.send(
      new CreateSecretCommand({ Name: uniqueName("lemon-signature"), SecretString: SECRET }),
    );
    eventBusName = uniqueName("lemon-bus");
    busArn = (await aws.eventBridge.send(new CreateEventBusCommand({ Name: eventBusName }))).EventBusArn!;
    receiver = await startContainer(
      RECEIVER_BUNDLE,
      receiverEnv({ endpoint: aws.endpoint, secretArn: secret.ARN!, tableName }),
    );
    forwarder = await startContainer(
      FORWARDER_BUNDLE,
      forwarderEnv({ endpoint: aws.endpoint, tableName, eventBusName }),
    );
  });

  afterAll(async () => {
    await Promise.all([receiver.close(), forwarder.close()]);
    aws.destroy();
  });

  /** Delivers one new event of `type`, created at `createdAt`, to the receiver; the stream's record of it goes to the forwarder. Returns its body. */
  async function deliver(type: string, createdAt?: Date): Promise<string> {
    n += 1;
    const fixture = JSON.parse(eventBody(`evt_fanout_${process.pid}_${n}`, type)) as Record<string, unknown>;
    const body = JSON.stringify(
      createdAt === undefined
        ? fixture
        : { ...fixture, created_at: createdAt.toISOString().replace("Z", "+00:00") },
    );
    const result = await receiver.invoke<ApiGatewayV2Result>(signedApiGatewayEvent(body, `req-fanout-${n}`));
    expect(result.body).toBe('{"status":"stored"}');
    const id = (JSON.parse(body) as { id: string }).id;
    expect((await forwardFromStream(aws, tableName, forwarder, [id])).response).toEqual({
      batchItemFailures: [],
    });
    return body;
  }

  it("delivers to a subscription for order.executed exactly the order.executed events", async () => {
    // Prepare
    const orders = await aws.subscribe(eventBusName, ["order.executed"]);
    const everything = await aws.subscribe(eventBusName);

    // Act
    const sent = [
      await deliver("order.executed"),
      await deliver("account.created"),
      await deliver("order.executed"),
    ];
    const ordersGot = await aws.drainQueue(orders.queueUrl, 2);
    const everythingGot = await aws.drainQueue(everything.queueUrl, 3);

    // Assess
    const details = (messages: readonly { Body: string }[]) =>
      messages.map((m) => (JSON.parse(m.Body) as DeliveredEvent).detail);
    expect(details(ordersGot)).toEqual([JSON.parse(sent[0]!), JSON.parse(sent[2]!)]);
    expect(details(everythingGot)).toEqual(sent.map((b) => JSON.parse(b)));
  });

  it("keeps forwarded events in an archive with the component's pattern, and a replay delivers them again", async () => {
    // Prepare
    const archiveName = uniqueName("lemon-archive");
    const archive = await aws.eventBridge.send(
      new CreateArchiveCommand({
        ArchiveName: archiveName,
        EventSourceArn: busArn,
        EventPattern: eventPattern(),
        RetentionDays: 30,
      }),
    );
    // Created now, so the replay window holds it whether it is read as event time or as arrival time.
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    const body = await deliver("order.executed", new Date());
    const consumer = await aws.subscribe(eventBusName);
    const end = new Date(Date.now() + 1000);

    // Act
    const described = await aws.eventBridge.send(new DescribeArchiveCommand({ ArchiveName: archiveName }));
    const replayName = uniqueName("lemon-replay");
    await aws.eventBridge.send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: archive.ArchiveArn!,
        EventStartTime: start,
        EventEndTime: end,
        Destination: { Arn: busArn },
      }),
    );
    const replayed = await aws.drainQueue(consumer.queueUrl, 1);
    const replay = await aws.eventBridge.send(new DescribeReplayCommand({ ReplayName: replayName }));

    // Assess
    expect(described.EventCount).toBe(1);
    expect(replay.State).toBe("COMPLETED");
    expect(replayed).toHaveLength(1);
    const event = JSON.parse(replayed[0]!.Body) as DeliveredEvent & { "replay-name"?: string };
    expect(event.detail).toEqual(JSON.parse(body));
    expect(event["replay-name"]).toBe(replayName);
  });
});
