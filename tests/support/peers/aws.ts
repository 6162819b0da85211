/**
 * The AWS side of the peer tests, all against moto: resources are created with the AWS SDK v3 (never with our
 * adapters, so setup shares no code with what is tested), and SQS, which has no SDK client among the
 * devDependencies, is spoken over its JSON protocol signed by the SDK's own signer (@smithy/signature-v4).
 */
import { randomBytes } from "node:crypto";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SignatureV4 } from "@smithy/signature-v4";
import { eventPattern } from "../../../components/receiver/fanout";
import { NodeSha256 } from "../sha256";

/** Set by globalSetup for the workers. */
export const MOTO_ENDPOINT_ENV = "LEMON_PEERS_MOTO_ENDPOINT";
export const REGION = "eu-central-1";
/** moto accepts any credentials; these are the bundles' and the SDK's alike. */
export const CREDENTIALS = {
  accessKeyId: "AKIDPEERSUITE",
  secretAccessKey: "peer-suite-secret-key",
} as const;

/** The moto endpoint globalSetup started. */
export function motoEndpoint(): string {
  const endpoint = process.env[MOTO_ENDPOINT_ENV];
  if (endpoint === undefined) {
    throw new Error(`${MOTO_ENDPOINT_ENV} is not set: run the peer suite with \`npm run test:peers\``);
  }
  return endpoint;
}

/** A name no other test (or earlier run against the same server) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** An SQS message as ReceiveMessage returns it. */
export interface SqsMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly Body: string;
}

/** SDK clients and SQS on one moto endpoint. */
export class PeerAws {
  readonly dynamodb: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
  readonly secretsManager: SecretsManagerClient;
  private readonly signers = new Map<string, SignatureV4>();
  constructor(readonly endpoint: string = motoEndpoint()) {
    const config = { endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    this.dynamodb = new DynamoDBClient(config);
    this.eventBridge = new EventBridgeClient(config);
    this.secretsManager = new SecretsManagerClient(config);
  }

  destroy(): void {
    this.dynamodb.destroy();
    this.eventBridge.destroy();
    this.secretsManager.destroy();
  }

  /**
   * One JSON-protocol call for a service without an SDK client among the devDependencies, signed by the SDK's
   * own signer; throws on a non-2xx answer.
   */
  private async jsonCall<T>(signingName: string, target: string, input: object): Promise<T> {
    let signer = this.signers.get(signingName);
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials: CREDENTIALS,
        region: REGION,
        service: signingName,
        sha256: NodeSha256,
      });
      this.signers.set(signingName, signer);
    }
    const url = new URL(this.endpoint);
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
      body,
    });
    const response = await fetch(`${this.endpoint}/`, { method: "POST", headers: signed.headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${target} failed: HTTP ${response.status} ${text}`);
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  /** One SQS JSON-protocol call (`AmazonSQS.<operation>`). */
  sqs<T>(operation: string, input: object): Promise<T> {
    return this.jsonCall<T>("sqs", `AmazonSQS.${operation}`, input);
  }

  /**
   * Every record of `tableName`'s DynamoDB stream so far (one shard: moto keeps one per table), read with
   * DynamoDB Streams' JSON protocol (`DynamoDBStreams_20120810`), as Lambda's event source mapping reads it.
   */
  async streamRecords(tableName: string): Promise<StreamRecord[]> {
    const table = await this.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (streamArn === undefined) throw new Error(`${tableName} has no stream`);
    const call = <T>(operation: string, input: object) =>
      this.jsonCall<T>("dynamodb", `DynamoDBStreams_20120810.${operation}`, input);
    const { StreamDescription } = await call<{ StreamDescription: { Shards: Array<{ ShardId: string }> } }>(
      "DescribeStream",
      { StreamArn: streamArn },
    );
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription.Shards) {
      let { ShardIterator: iterator } = await call<{ ShardIterator?: string }>("GetShardIterator", {
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      });
      while (iterator !== undefined) {
        const page = await call<{ Records: StreamRecord[]; NextShardIterator?: string }>("GetRecords", {
          ShardIterator: iterator,
        });
        records.push(...page.Records);
        // An open shard always has a next iterator; an empty page means "caught up".
        iterator = page.Records.length === 0 ? undefined : page.NextShardIterator;
      }
    }
    return records;
  }

  /**
   * The dedupe table as the component creates it: partition key `pk` (S), on demand, TTL on `expiresAt`; with a
   * `NEW_IMAGE` stream when `stream` is set.
   */
  async createDedupeTable(options: { readonly stream?: boolean } = {}): Promise<string> {
    const tableName = uniqueName("lemon-dedupe");
    await this.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        ...(options.stream === true
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } }
          : {}),
      }),
    );
    await this.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    );
    return tableName;
  }

  /** An item of `tableName` by `pk`, as DynamoDB JSON, read with the SDK. */
  async item(tableName: string, pk: string) {
    const got = await this.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    return got.Item;
  }

  /**
   * A bus with one subscription (see {@link subscribe}) matching every lemon.markets event: how a consumer
   * subscribes with `receiver.subscribe(..., { target: queue })`.
   */
  async busWithQueue(): Promise<{ eventBusName: string; queueUrl: string; queueArn: string }> {
    const eventBusName = uniqueName("lemon-bus");
    await this.eventBridge.send(new CreateEventBusCommand({ Name: eventBusName }));
    return { eventBusName, ...(await this.subscribe(eventBusName)) };
  }

  /**
   * A new SQS queue as the target of a rule on `eventBusName` with the component's own pattern
   * (components/receiver/fanout.ts `eventPattern`, as `subscribe({ eventTypes })` creates it).
   */
  async subscribe(
    eventBusName: string,
    eventTypes?: readonly string[],
  ): Promise<{ queueUrl: string; queueArn: string }> {
    const { QueueUrl: queueUrl } = await this.sqs<{ QueueUrl: string }>("CreateQueue", {
      QueueName: uniqueName("lemon-consumer"),
    });
    const { Attributes } = await this.sqs<{ Attributes: { QueueArn: string } }>("GetQueueAttributes", {
      QueueUrl: queueUrl,
      AttributeNames: ["QueueArn"],
    });
    const ruleName = uniqueName("lemon-rule");
    await this.eventBridge.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: eventBusName,
        EventPattern: eventPattern(eventTypes),
      }),
    );
    await this.eventBridge.send(
      new PutTargetsCommand({
        Rule: ruleName,
        EventBusName: eventBusName,
        Targets: [{ Id: "consumer-queue", Arn: Attributes.QueueArn }],
      }),
    );
    return { queueUrl, queueArn: Attributes.QueueArn };
  }

  /**
   * Receives (and deletes) messages until `count` have arrived, then polls once more (1 s long poll) to see
   * that no further one comes. Bounded: throws with what it has after `timeoutMs`.
   */
  async drainQueue(queueUrl: string, count: number, timeoutMs = 30_000): Promise<SqsMessage[]> {
    const messages: SqsMessage[] = [];
    const until = Date.now() + timeoutMs;
    const receive = async () => {
      const { Messages = [] } = await this.sqs<{ Messages?: SqsMessage[] }>("ReceiveMessage", {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      });
      for (const message of Messages) {
        messages.push(message);
        await this.sqs("DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle });
      }
      return Messages.length;
    };
    while (messages.length < count) {
      if (Date.now() > until) {
        throw new Error(`expected ${count} SQS messages, got ${messages.length} after ${timeoutMs} ms`);
      }
      await receive();
    }
    while ((await receive()) > 0) {
      // Anything beyond `count` is kept, for the caller's exact assertion.
    }
    return messages;
  }
}

/** One DynamoDB stream record, as GetRecords returns it. */
export interface StreamRecord {
  readonly eventName: "INSERT" | "MODIFY" | "REMOVE";
  readonly dynamodb: {
    readonly Keys: { readonly pk: { readonly S: string } };
    readonly NewImage?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly SequenceNumber: string;
  };
}

/** The event EventBridge delivers to an SQS target (the message body). */
export interface DeliveredEvent {
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}
