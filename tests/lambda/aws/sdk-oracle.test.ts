/**
 * The AWS SDK for JavaScript v3 as protocol oracle. Two directions:
 * 1. Requests: every operation our adapters (lambda/aws/*, lambda/reconciler/*) perform is sent by the adapter
 *    and by the SDK to a recording server; target, content type and JSON body (parsed) must be equal, and the
 *    SigV4 signature of each recorded request must be the one @smithy/signature-v4 computes from it.
 * 2. Answers: our local stand-ins (local/*, dynalite, the reliability suite's throttling proxy) are
 *    called by the SDK, which must deserialise every answer, errors included, to the right error name.
 * Only Node and localhost: part of `npm test`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SignatureV4 } from "@smithy/signature-v4";
import { type AwsEnvironment, awsJsonClient } from "../../../lambda/aws";
import { EventBridgePublisher } from "../../../lambda/aws/event-sink";
import { DynamoDbEventStore, markForwarded } from "../../../lambda/aws/event-store";
import { SecretsManagerSecretSource } from "../../../lambda/aws/secret-source";
import { DynamoDbStoredLookup } from "../../../lambda/aws/stored-lookup";
import { DynamoDbWatermarkStore, WATERMARK_KEY } from "../../../lambda/reconciler/watermark";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../../local";
import { NodeSha256 } from "../../support/sha256";
import { startThrottleProxy } from "../../support/throttle-proxy";

const REGION = "eu-central-1";
/** Role credentials, as Lambda gives them (with a session token). */
const CREDENTIALS = {
  accessKeyId: "AKIDORACLE",
  secretAccessKey: "oracle-secret-access-key",
  sessionToken: "oracle-session-token",
} as const;
const SIGNING_DATE = new Date("2026-07-20T10:00:00.000Z");
const NOW_MS = Date.parse("2026-07-20T10:00:00.250Z");
const TABLE = "lemon-webhooks-dedupe";
const BUS = "lemon-webhooks-bus";
const ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-webhooks-signature-AbCdEf";

/** One request as the recording server saw it. */
interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Reply = { readonly status: number; readonly body: object };

/** Answers each call by its `X-Amz-Target` operation; records everything. */
class Recorder {
  readonly requests: Recorded[] = [];
  replies: Record<string, Reply> = {};
  private server: Server | undefined;
  endpoint = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        this.requests.push({
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        const target = String(req.headers["x-amz-target"] ?? "");
        const reply = this.replies[target.split(".").pop() ?? ""] ?? { status: 200, body: {} };
        res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(reply.body));
      });
    });
    const server = this.server;
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** The requests recorded while `act` ran. */
  async during(act: () => Promise<unknown>): Promise<Recorded[]> {
    const before = this.requests.length;
    await act();
    return this.requests.slice(before);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}

const header = (request: Recorded, name: string): string => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
};

/** `Credential=<key>/<day>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…` taken apart. */
function authorizationParts(request: Recorded) {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      header(request, "authorization"),
    );
  if (match === null) throw new Error(`not a SigV4 authorization: ${header(request, "authorization")}`);
  const [, accessKeyId, day, region, service, signedHeaders, signature] = match;
  return { accessKeyId, day, region, service, signedHeaders: signedHeaders!.split(";"), signature };
}

/** The signature @smithy/signature-v4 computes for the recorded request over the headers it names as signed. */
async function recomputedAuthorization(request: Recorded): Promise<string> {
  const parts = authorizationParts(request);
  const headers = Object.fromEntries(parts.signedHeaders.map((name) => [name, header(request, name)]));
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: parts.region!,
    service: parts.service!,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const amzDate = header(request, "x-amz-date");
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const host = header(request, "host");
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: host.split(":")[0]!,
      port: Number(host.split(":")[1]),
      path: request.path,
      query: {},
      headers,
      body: request.body,
    },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

/** What must be equal between our request and the SDK's for the same operation. */
function wireShape(request: Recorded) {
  const auth = authorizationParts(request);
  return {
    method: request.method,
    path: request.path,
    target: header(request, "x-amz-target"),
    contentType: header(request, "content-type"),
    body: JSON.parse(request.body) as unknown,
    scope: { accessKeyId: auth.accessKeyId, region: auth.region, service: auth.service },
    sessionToken: header(request, "x-amz-security-token"),
  };
}

describe("The SDK v3 as protocol oracle for our AWS adapters", () => {
  const recorder = new Recorder();
  let aws: AwsEnvironment;
  let sdk: { dynamodb: DynamoDBClient; eventBridge: EventBridgeClient; secrets: SecretsManagerClient };

  beforeAll(async () => {
    await recorder.start();
    const endpoint = new URL(recorder.endpoint);
    aws = {
      region: REGION,
      credentials: CREDENTIALS,
      endpoints: {
        secretsManager: endpoint,
        dynamodb: endpoint,
        eventBridge: endpoint,
        cloudWatch: endpoint,
        sqs: endpoint,
      },
    };
    const config = { endpoint: recorder.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    sdk = {
      dynamodb: new DynamoDBClient(config),
      eventBridge: new EventBridgeClient(config),
      secrets: new SecretsManagerClient(config),
    };
  });

  beforeEach(() => {
    recorder.replies = {};
  });

  afterAll(async () => {
    sdk.dynamodb.destroy();
    sdk.eventBridge.destroy();
    sdk.secrets.destroy();
    await recorder.close();
  });

  const now = () => SIGNING_DATE;
  const eventStore = () => new DynamoDbEventStore(awsJsonClient(aws, "dynamodb", now), TABLE, 604_800);
  const STORED = {
    id: "evt_oracle",
    type: "order.executed",
    createdAt: "2026-07-20T09:59:58.523373+00:00",
    body: '{"id":"evt_oracle","type":"order.executed","created_at":"2026-07-20T09:59:58.523373+00:00","context":{}}',
    via: "webhook",
  } as const;
  const secretSource = () => new SecretsManagerSecretSource(awsJsonClient(aws, "secretsManager", now), ARN);

  /**
   * Runs our adapter (`ours`, whose last recorded request is the one under test) and the SDK (`theirs`, built
   * from what ours sent only where a value is random), and compares the two requests.
   */
  async function compare(
    ours: () => Promise<unknown>,
    theirs: (ourBody: Record<string, unknown>) => Promise<unknown>,
  ): Promise<{ ours: Recorded; theirs: Recorded }> {
    const ourRequest = (await recorder.during(ours)).at(-1)!;
    const theirRequests = await recorder.during(() =>
      theirs(JSON.parse(ourRequest.body) as Record<string, unknown>),
    );
    expect(theirRequests).toHaveLength(1);
    const theirRequest = theirRequests[0]!;
    expect(wireShape(ourRequest)).toEqual(wireShape(theirRequest));
    // Both signatures are what the SDK's signer computes from the recorded request.
    expect(header(ourRequest, "authorization")).toBe(await recomputedAuthorization(ourRequest));
    expect(header(theirRequest, "authorization")).toBe(await recomputedAuthorization(theirRequest));
    // Ours is signed at our clock, over the headers AWS requires plus the two the JSON protocols carry.
    expect(header(ourRequest, "x-amz-date")).toBe("20260720T100000Z");
    expect(authorizationParts(ourRequest).signedHeaders).toEqual([
      "content-type",
      "host",
      "x-amz-date",
      "x-amz-security-token",
      "x-amz-target",
    ]);
    return { ours: ourRequest, theirs: theirRequest };
  }

  const SECRET_VALUE = {
    ARN,
    Name: "lemon-webhooks-signature-AbCdEf",
    VersionId: "v1",
    SecretString: "s",
    VersionStages: ["AWSCURRENT"],
    CreatedDate: 1_784_541_600,
  };

  it.each(["AWSCURRENT", "AWSPREVIOUS"] as const)(
    "sends Secrets Manager GetSecretValue (%s) as the SDK does",
    async (stage) => {
      // Prepare
      recorder.replies = { GetSecretValue: { status: 200, body: SECRET_VALUE } };
      const source = secretSource();

      // Act
      const { ours } = await compare(
        () => (stage === "AWSCURRENT" ? source.current() : source.previous()),
        () => sdk.secrets.send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: stage })),
      );

      // Assess
      expect(wireShape(ours)).toMatchObject({
        target: "secretsmanager.GetSecretValue",
        contentType: "application/x-amz-json-1.1",
        scope: { service: "secretsmanager", region: REGION },
      });
    },
  );

  it("sends the store (the one conditional PutItem) as the SDK does", async () => {
    // Act
    const { ours } = await compare(
      () => eventStore().store(STORED, NOW_MS),
      () =>
        sdk.dynamodb.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              pk: { S: "evt_oracle" },
              kind: { S: "event" },
              type: { S: "order.executed" },
              createdAt: { S: STORED.createdAt },
              body: { S: STORED.body },
              receivedAtMs: { N: String(NOW_MS) },
              via: { S: "webhook" },
              expiresAt: { N: String(Math.floor(NOW_MS / 1000) + 604_800) },
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
    );

    // Assess
    expect(wireShape(ours)).toMatchObject({
      target: "DynamoDB_20120810.PutItem",
      contentType: "application/x-amz-json-1.0",
      scope: { service: "dynamodb", region: REGION },
    });
  });

  it("reads the SDK's ConditionalCheckFailedException answer as a duplicate, with no further call", async () => {
    // Prepare
    recorder.replies = {
      PutItem: {
        status: 400,
        body: { __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", message: "x" },
      },
    };

    // Act
    let outcome: unknown;
    const requests = await recorder.during(async () => {
      outcome = await eventStore().store(STORED, NOW_MS);
    });

    // Assess
    expect(outcome).toBe("duplicate");
    expect(requests.map((r) => header(r, "x-amz-target"))).toEqual(["DynamoDB_20120810.PutItem"]);
  });

  it("sends the forwarder's mark (conditional UpdateItem of forwardedAtMs) as the SDK does", async () => {
    await compare(
      () => markForwarded(awsJsonClient(aws, "dynamodb", now), TABLE, "evt_oracle", NOW_MS),
      () =>
        sdk.dynamodb.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { pk: { S: "evt_oracle" } },
            UpdateExpression: "SET #f = :at",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: { "#f": "forwardedAtMs" },
            ExpressionAttributeValues: { ":at": { N: String(NOW_MS) } },
          }),
        ),
    );
  });

  it("sends the reconciler's watermark read (GetItem) and advance (UpdateItem) as the SDK does", async () => {
    // Prepare
    const store = new DynamoDbWatermarkStore(awsJsonClient(aws, "dynamodb", now), TABLE);
    const watermarkMs = Date.parse("2026-07-20T09:55:00.123Z");

    // Act
    await compare(
      () => store.read(),
      () =>
        sdk.dynamodb.send(
          new GetItemCommand({ TableName: TABLE, Key: { pk: { S: WATERMARK_KEY } }, ConsistentRead: true }),
        ),
    );
    await compare(
      () => store.advance(watermarkMs, NOW_MS),
      () =>
        sdk.dynamodb.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { pk: { S: WATERMARK_KEY } },
            UpdateExpression: "SET #w = :w, #iso = :iso, #u = :u",
            ConditionExpression: "attribute_not_exists(#w) OR #w < :w",
            ExpressionAttributeNames: { "#w": "watermarkMs", "#iso": "watermark", "#u": "updatedAtMs" },
            ExpressionAttributeValues: {
              ":w": { N: String(watermarkMs) },
              ":iso": { S: "2026-07-20T09:55:00.123Z" },
              ":u": { N: String(NOW_MS) },
            },
          }),
        ),
    );
  });

  it("sends the stored-ids pre-check (BatchGetItem) of the reconciler and the forwarder as the SDK does", async () => {
    // Prepare
    recorder.replies = { BatchGetItem: { status: 200, body: { Responses: { [TABLE]: [] } } } };
    const lookup = new DynamoDbStoredLookup(awsJsonClient(aws, "dynamodb", now), TABLE);

    // Act
    const { ours } = await compare(
      () => lookup.states(["evt_a", "evt_b", "evt_a"]),
      () =>
        sdk.dynamodb.send(
          new BatchGetItemCommand({
            RequestItems: {
              [TABLE]: {
                Keys: [{ pk: { S: "evt_a" } }, { pk: { S: "evt_b" } }],
                ConsistentRead: true,
                ProjectionExpression: "#id, #f",
                ExpressionAttributeNames: { "#id": "pk", "#f": "forwardedAtMs" },
              },
            },
          }),
        ),
    );

    // Assess
    expect(header(ours, "x-amz-target")).toBe("DynamoDB_20120810.BatchGetItem");
  });

  it("sends the forward (EventBridge PutEvents, Detail = the stored body, Time from created_at) as the SDK does", async () => {
    // Prepare
    recorder.replies = {
      PutEvents: { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] } },
    };
    const publisher = new EventBridgePublisher(awsJsonClient(aws, "eventBridge", now), BUS);
    const json = STORED.body;

    // Act
    const { ours } = await compare(
      () => publisher.publish([{ ...STORED, receivedAtMs: NOW_MS }]),
      () =>
        sdk.eventBridge.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: BUS,
                Source: "lemon.markets",
                DetailType: "order.executed",
                Detail: json,
                Time: new Date("2026-07-20T09:59:58.523Z"),
              },
            ],
          }),
        ),
    );

    // Assess
    expect(wireShape(ours)).toMatchObject({
      target: "AWSEvents.PutEvents",
      contentType: "application/x-amz-json-1.1",
      scope: { service: "events", region: REGION },
    });
  });
});

/** The SDK error a rejected send throws: its name, fault and HTTP status. */
async function sdkError(send: Promise<unknown>) {
  const error = (await send.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error("expected the SDK call to fail");
  return { name: error.name, fault: error.$fault, status: error.$metadata?.httpStatusCode };
}

describe("Our local stand-ins answer the SDK v3", () => {
  const created = new Date("2026-07-01T08:00:00.000Z");
  let secrets: FakeSecretsManager;
  let eventBridge: FakeEventBridge;
  let dynamo: LocalDynamo;
  const config = (endpoint: string) => ({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });

  beforeAll(async () => {
    [secrets, eventBridge, dynamo] = await Promise.all([
      startFakeSecretsManager({ versions: [{ secret: "only-secret", createdAt: created }] }),
      startFakeEventBridge(),
      startLocalDynamo(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([secrets.close(), eventBridge.close(), dynamo.close()]);
  });

  describe("the fake Secrets Manager", () => {
    let client: SecretsManagerClient;
    beforeAll(() => {
      client = new SecretsManagerClient(config(secrets.endpoint));
    });
    afterAll(() => client.destroy());
    afterEach(() => secrets.clearFaults());

    it("answers GetSecretValue with the value, stages and CreatedDate the SDK deserialises", async () => {
      // Act
      const got = await client.send(
        new GetSecretValueCommand({ SecretId: secrets.arn, VersionStage: "AWSCURRENT" }),
      );

      // Assess
      expect(got).toMatchObject({
        ARN: secrets.arn,
        Name: "lemon-webhooks-signature-AbCdEf",
        SecretString: "only-secret",
        VersionStages: ["AWSCURRENT"],
        CreatedDate: created,
      });
      expect(got.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      ["a stage no version has", { SecretId: ARN, VersionStage: "AWSPREVIOUS" }],
      [
        "an unknown secret",
        { SecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:other-XyZ" },
      ],
    ])("answers %s with ResourceNotFoundException", async (_what, input) => {
      // Act
      const error = await sdkError(client.send(new GetSecretValueCommand(input)));

      // Assess
      expect(error).toEqual({ name: "ResourceNotFoundException", fault: "client", status: 400 });
    });

    it.each([
      ["throttle", "ThrottlingException", "client", 400],
      ["access-denied", "AccessDeniedException", "client", 400],
      ["unavailable", "InternalServiceError", "server", 500],
    ] as const)("surfaces an injected %s fault as %s", async (fault, name, kind, status) => {
      // Prepare
      secrets.failNext(1, fault);

      // Act
      const error = await sdkError(client.send(new GetSecretValueCommand({ SecretId: secrets.arn })));

      // Assess
      expect(error).toEqual({ name, fault: kind, status });
    });
  });

  describe("the fake EventBridge", () => {
    let client: EventBridgeClient;
    const entry = {
      EventBusName: BUS,
      Source: "lemon.markets",
      DetailType: "order.executed",
      Detail: '{"id":"evt_sdk"}',
      Time: new Date("2026-07-20T10:00:00.000Z"),
    };
    beforeAll(() => {
      client = new EventBridgeClient(config(eventBridge.endpoint));
    });
    afterAll(() => client.destroy());
    afterEach(() => eventBridge.clearFaults());

    it("answers PutEvents with an EventId and records the entry as sent", async () => {
      // Act
      const put = await client.send(new PutEventsCommand({ Entries: [entry] }));

      // Assess
      expect(put.FailedEntryCount).toBe(0);
      expect(put.Entries).toEqual([{ EventId: eventBridge.entries.at(-1)!.eventId }]);
      expect(eventBridge.entries.at(-1)).toMatchObject({
        eventBusName: BUS,
        source: "lemon.markets",
        detailType: "order.executed",
        detail: '{"id":"evt_sdk"}',
        time: 1_784_541_600,
      });
    });

    it("answers a partial failure with FailedEntryCount and the entry's ErrorCode", async () => {
      // Prepare
      eventBridge.failNext(1, "partial");

      // Act
      const put = await client.send(new PutEventsCommand({ Entries: [entry] }));

      // Assess
      expect(put.FailedEntryCount).toBe(1);
      expect(put.Entries).toEqual([{ ErrorCode: "InternalFailure", ErrorMessage: "injected entry failure" }]);
    });

    it.each([
      ["throttle", "ThrottlingException", "client", 400],
      ["unavailable", "InternalException", "server", 500],
    ] as const)("surfaces an injected %s fault as %s", async (fault, name, kind, status) => {
      // Prepare
      eventBridge.failNext(1, fault);

      // Act
      const error = await sdkError(client.send(new PutEventsCommand({ Entries: [entry] })));

      // Assess
      expect(error).toEqual({ name, fault: kind, status });
    });
  });

  describe("dynalite and the throttling proxy", () => {
    let client: DynamoDBClient;
    beforeAll(() => {
      client = new DynamoDBClient(config(dynamo.endpoint));
    });
    afterAll(() => client.destroy());

    it("answers the store, the forwarded mark, the batch read and reforward's filtered Scan", async () => {
      // Prepare
      const Item = {
        pk: { S: "evt_sdk_ok" },
        kind: { S: "event" },
        type: { S: "order.executed" },
        createdAt: { S: "2026-07-20T09:59:58+00:00" },
        body: { S: "{}" },
        receivedAtMs: { N: "1000" },
        via: { S: "webhook" },
        expiresAt: { N: "2000" },
      };

      // Act
      await client.send(
        new PutItemCommand({
          TableName: dynamo.tableName,
          Item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      const unforwarded = await client.send(
        new ScanCommand({
          TableName: dynamo.tableName,
          ConsistentRead: true,
          FilterExpression: "#k = :event AND #r BETWEEN :from AND :to AND attribute_not_exists(#f)",
          ExpressionAttributeNames: { "#k": "kind", "#r": "receivedAtMs", "#f": "forwardedAtMs" },
          ExpressionAttributeValues: { ":event": { S: "event" }, ":from": { N: "0" }, ":to": { N: "5000" } },
        }),
      );
      await client.send(
        new UpdateItemCommand({
          TableName: dynamo.tableName,
          Key: { pk: { S: "evt_sdk_ok" } },
          UpdateExpression: "SET #f = :at",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#f": "forwardedAtMs" },
          ExpressionAttributeValues: { ":at": { N: "3000" } },
        }),
      );
      const batch = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [dynamo.tableName]: {
              Keys: [{ pk: { S: "evt_sdk_ok" } }, { pk: { S: "evt_sdk_missing" } }],
              ConsistentRead: true,
              ProjectionExpression: "#id, #f",
              ExpressionAttributeNames: { "#id": "pk", "#f": "forwardedAtMs" },
            },
          },
        }),
      );
      const markGone = await sdkError(
        client.send(
          new UpdateItemCommand({
            TableName: dynamo.tableName,
            Key: { pk: { S: "evt_sdk_expired" } },
            UpdateExpression: "SET #f = :at",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: { "#f": "forwardedAtMs" },
            ExpressionAttributeValues: { ":at": { N: "3000" } },
          }),
        ),
      );

      // Assess
      expect(unforwarded.Items?.map((item) => item.pk)).toContainEqual({ S: "evt_sdk_ok" });
      expect(batch.Responses).toEqual({
        [dynamo.tableName]: [{ pk: { S: "evt_sdk_ok" }, forwardedAtMs: { N: "3000" } }],
      });
      expect(batch.UnprocessedKeys).toEqual({});
      // The mark never re-creates an item that expired.
      expect(markGone).toEqual({ name: "ConditionalCheckFailedException", fault: "client", status: 400 });
    });

    it("answers a second store of the same id with ConditionalCheckFailedException", async () => {
      // Prepare
      const claim = () =>
        client.send(
          new PutItemCommand({
            TableName: dynamo.tableName,
            Item: { pk: { S: "evt_sdk_twice" }, kind: { S: "event" } },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      await claim();

      // Act
      const error = await sdkError(claim());

      // Assess
      expect(error).toEqual({ name: "ConditionalCheckFailedException", fault: "client", status: 400 });
    });

    it("answers a call on a missing table with ResourceNotFoundException", async () => {
      // Act
      const error = await sdkError(
        client.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "evt_x" } } })),
      );

      // Assess
      expect(error).toEqual({ name: "ResourceNotFoundException", fault: "client", status: 400 });
    });

    it("answers a throttled call with ProvisionedThroughputExceededException", async () => {
      // Prepare
      const proxy = await startThrottleProxy({ target: dynamo.endpoint, rate: 1, seed: 1 });
      const throttled = new DynamoDBClient(config(proxy.endpoint));

      try {
        // Act
        const error = await sdkError(
          throttled.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: "evt_x" } } })),
        );

        // Assess
        expect(error).toEqual({
          name: "ProvisionedThroughputExceededException",
          fault: "client",
          status: 400,
        });
      } finally {
        throttled.destroy();
        await proxy.close();
      }
    });
  });
});
