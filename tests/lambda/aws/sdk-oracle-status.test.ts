/**
 * The AWS SDK v3 as protocol oracle for the stand-ins `lemon-webhooks status` reads (local/
 * fake-cloudwatch.ts, fake-sqs.ts) and for our client's protocol entries for them (AWS_JSON_PROTOCOLS):
 * the SDK's CloudWatch and SQS clients, pointed at the stand-ins, must be accepted (target, content type,
 * SigV4 service are checked by the stand-in) and must deserialise every answer, errors included, to the
 * shapes and error names our client reads. Only Node and localhost.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from "@aws-sdk/client-sqs";
import { readAlarms, readMetrics, readQueueDepth } from "../../../cli/status";
import { METRIC_PERIOD_SECONDS, METRICS_NAMESPACE, METRICS_SERVICE } from "../../../contract/metrics";
import { AwsJsonClient } from "../../../lambda/aws/json-client";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import {
  type FakeCloudWatch,
  type FakeSqs,
  LOCAL_CREDENTIALS,
  startFakeCloudWatch,
  startFakeSqs,
} from "../../../local";

const REGION = "eu-central-1";
const RECEIVED = {
  namespace: METRICS_NAMESPACE,
  name: "Received",
  dimensions: { Service: METRICS_SERVICE },
} as const;
/** A 5-minute boundary, so bucket timestamps are the points' own. */
const T0_MS = Date.parse("2026-07-20T10:00:00.000Z");

const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});

const ours = (dependency: "cloudwatch" | "sqs", endpoint: string) =>
  new AwsJsonClient({
    dependency,
    endpoint: new URL(endpoint),
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });

async function sdkErrorName(send: () => Promise<unknown>): Promise<string> {
  try {
    await send();
  } catch (error) {
    return error instanceof Error ? error.name : "not an Error";
  }
  return "no error";
}

async function ourErrorCode(send: () => Promise<unknown>): Promise<string> {
  try {
    await send();
  } catch (error) {
    return error instanceof DependencyUnavailableError ? error.code : "not a DependencyUnavailableError";
  }
  return "no error";
}

const metricQuery = {
  Id: "received",
  MetricStat: {
    Metric: {
      Namespace: RECEIVED.namespace,
      MetricName: RECEIVED.name,
      Dimensions: [{ Name: "Service", Value: METRICS_SERVICE }],
    },
    Period: 300,
    Stat: "Sum",
  },
};

describe("Stand-in: local CloudWatch (GetMetricData, DescribeAlarms) against the SDK v3", () => {
  let cw: FakeCloudWatch;
  let sdk: CloudWatchClient;

  beforeAll(async () => {
    cw = await startFakeCloudWatch();
    sdk = new CloudWatchClient(sdkConfig(cw.endpoint));
    cw.put(RECEIVED, T0_MS, 1);
    cw.put(RECEIVED, T0_MS + 60_000, 2);
    cw.put(RECEIVED, T0_MS + 600_000, 4);
    cw.put({ ...RECEIVED, dimensions: { Service: "another" } }, T0_MS, 100);
    cw.setAlarm({
      name: "lemon-api-5xx-0a1b2c3",
      state: "ALARM",
      reason: "Threshold Crossed",
      updatedMs: T0_MS,
    });
    cw.setAlarm({ name: "lemon-receiver-errors-0a1b2c3", state: "OK" });
    cw.setAlarm({ name: "other-stack-alarm", state: "ALARM" });
  });

  afterAll(async () => {
    sdk.destroy();
    await cw.close();
  });

  it("answers GetMetricData so the SDK reads Date timestamps newest first and the bucket sums", async () => {
    // Act
    const answer = await sdk.send(
      new GetMetricDataCommand({
        MetricDataQueries: [metricQuery],
        StartTime: new Date(T0_MS),
        EndTime: new Date(T0_MS + 3_600_000),
      }),
    );

    // Assess
    expect(answer.MetricDataResults?.map((r) => [r.Id, r.Timestamps, r.Values, r.StatusCode])).toEqual([
      ["received", [new Date(T0_MS + 600_000), new Date(T0_MS)], [4, 3], "Complete"],
    ]);
  });

  it("gives our client the same datapoints as epoch seconds", async () => {
    // Act
    const answer = await ours("cloudwatch", cw.endpoint).call<{
      MetricDataResults: { Id: string; Timestamps: number[]; Values: number[] }[];
    }>("GetMetricData", {
      MetricDataQueries: [metricQuery],
      StartTime: T0_MS / 1000,
      EndTime: (T0_MS + 3_600_000) / 1000,
    });

    // Assess
    expect(answer.ok && answer.value.MetricDataResults).toEqual([
      {
        Id: "received",
        Label: "Received",
        Timestamps: [(T0_MS + 600_000) / 1000, T0_MS / 1000],
        Values: [4, 3],
        StatusCode: "Complete",
      },
    ]);
  });

  it("answers DescribeAlarms by names so the SDK reads state, reason and Date of change", async () => {
    // Act
    const answer = await sdk.send(
      new DescribeAlarmsCommand({ AlarmNames: ["lemon-api-5xx-0a1b2c3", "lemon-receiver-errors-0a1b2c3"] }),
    );

    // Assess
    expect(
      answer.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason, a.StateUpdatedTimestamp]),
    ).toEqual([
      ["lemon-api-5xx-0a1b2c3", "ALARM", "Threshold Crossed", new Date(T0_MS)],
      ["lemon-receiver-errors-0a1b2c3", "OK", "Threshold not crossed", undefined],
    ]);
    expect(answer.NextToken).toBeUndefined();
  });

  it("pages DescribeAlarms with MaxRecords and NextToken as the SDK follows them", async () => {
    // Act
    const first = await sdk.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "lemon-", MaxRecords: 1 }));
    const second = await sdk.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "lemon-", MaxRecords: 1, NextToken: first.NextToken }),
    );

    // Assess
    expect([
      first.MetricAlarms?.map((a) => a.AlarmName),
      second.MetricAlarms?.map((a) => a.AlarmName),
    ]).toEqual([["lemon-api-5xx-0a1b2c3"], ["lemon-receiver-errors-0a1b2c3"]]);
    expect(second.NextToken).toBeUndefined();
  });

  it.each([
    ["denied", "AccessDeniedException"],
    ["throttle", "ThrottlingException"],
  ] as const)("fails a %s call with %s for the SDK and for our client", async (fault, name) => {
    // Prepare
    cw.failNext(2, fault);

    // Act
    const sdkName = await sdkErrorName(() => sdk.send(new DescribeAlarmsCommand({})));
    const ourCode = await ourErrorCode(() => ours("cloudwatch", cw.endpoint).call("DescribeAlarms", {}));

    // Assess
    expect([sdkName, ourCode]).toEqual([name, name]);
  });
});

describe("Stand-in: local SQS (GetQueueAttributes) against the SDK v3", () => {
  let sqs: FakeSqs;
  let sdk: SQSClient;

  beforeAll(async () => {
    sqs = await startFakeSqs();
    sdk = new SQSClient({ ...sdkConfig(sqs.endpoint), useQueueUrlAsEndpoint: false });
    sqs.setQueue(sqs.queueUrl("orders-dlq"), { visible: 3, inFlight: 1 });
  });

  afterAll(async () => {
    sdk.destroy();
    await sqs.close();
  });

  it("answers the depth attributes as strings, as the SDK reads them", async () => {
    // Act
    const answer = await sdk.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqs.queueUrl("orders-dlq"),
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );

    // Assess
    expect(answer.Attributes).toEqual({
      ApproximateNumberOfMessages: "3",
      ApproximateNumberOfMessagesNotVisible: "1",
    });
  });

  it("answers an unknown queue with QueueDoesNotExist, for the SDK and (as an expected error) for our client", async () => {
    // Act
    const sdkError = await sdk
      .send(new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl("gone"), AttributeNames: ["All"] }))
      .catch((error: unknown) => error);
    const our = await ours("sqs", sqs.endpoint).call(
      "GetQueueAttributes",
      { QueueUrl: sqs.queueUrl("gone"), AttributeNames: ["All"] },
      ["QueueDoesNotExist"],
    );

    // Assess
    expect(sdkError).toBeInstanceOf(QueueDoesNotExist);
    expect(our).toEqual({ ok: false, errorType: "QueueDoesNotExist" });
  });

  it.each([
    ["denied", "AccessDeniedException"],
    ["throttle", "ThrottlingException"],
  ] as const)("fails a %s call with %s for the SDK and for our client", async (fault, name) => {
    // Prepare
    sqs.failNext(2, fault);
    const input = { QueueUrl: sqs.queueUrl("orders-dlq"), AttributeNames: ["All" as const] };

    // Act
    const sdkName = await sdkErrorName(() => sdk.send(new GetQueueAttributesCommand(input)));
    const ourCode = await ourErrorCode(() => ours("sqs", sqs.endpoint).call("GetQueueAttributes", input));

    // Assess
    expect([sdkName, ourCode]).toEqual([name, name]);
  });
});

/** One request as the recording server saw it: target, content type, parsed body. */
type Seen = readonly [string, string, unknown];

describe("Requests: the status command's calls against the SDK v3's serialisation of the same input", () => {
  const seen: Seen[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        seen.push([
          String(req.headers["x-amz-target"]),
          String(req.headers["content-type"]),
          JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
        ]);
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end("{}");
      });
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  async function both(ourCall: () => Promise<unknown>, sdkCall: () => Promise<unknown>): Promise<Seen[]> {
    seen.length = 0;
    await ourCall();
    await sdkCall();
    // One request each, or the comparison below would compare nothing.
    if (seen.length !== 2) throw new Error(`expected 2 requests, saw ${seen.length}`);
    return [...seen];
  }

  it("sends GetMetricData (epoch-second window, metric stats) as the SDK does", async () => {
    // Prepare
    const query = { id: "receiver_received", name: "Received", dimensions: { Service: METRICS_SERVICE } };
    const sdk = new CloudWatchClient(sdkConfig(endpoint));

    // Act
    const [ours_, theirs] = await both(
      () => readMetrics(ours("cloudwatch", endpoint), [{ ...query, stat: "Sum" }], T0_MS - 86_400_000, T0_MS),
      () =>
        sdk.send(
          new GetMetricDataCommand({
            MetricDataQueries: [
              {
                Id: query.id,
                MetricStat: {
                  Metric: {
                    Namespace: METRICS_NAMESPACE,
                    MetricName: query.name,
                    Dimensions: [{ Name: "Service", Value: METRICS_SERVICE }],
                  },
                  Period: METRIC_PERIOD_SECONDS,
                  Stat: "Sum",
                },
              },
            ],
            StartTime: new Date(T0_MS - 86_400_000),
            EndTime: new Date(T0_MS),
            ScanBy: "TimestampDescending",
          }),
        ),
    );
    sdk.destroy();

    // Assess
    expect(ours_).toEqual(theirs);
    expect(ours_?.slice(0, 2)).toEqual([
      "GraniteServiceVersion20100801.GetMetricData",
      "application/x-amz-json-1.0",
    ]);
  });

  it("sends DescribeAlarms by names as the SDK does", async () => {
    // Prepare
    const names = ["lemon-api-5xx-0a1b2c3", "lemon-forwarder-errors-0a1b2c3"];
    const sdk = new CloudWatchClient(sdkConfig(endpoint));

    // Act
    const [ours_, theirs] = await both(
      () => readAlarms(ours("cloudwatch", endpoint), names),
      () => sdk.send(new DescribeAlarmsCommand({ AlarmNames: names })),
    );
    sdk.destroy();

    // Assess
    expect(ours_).toEqual(theirs);
  });

  it("sends GetQueueAttributes for the depth as the SDK does", async () => {
    // Prepare
    const url = `${endpoint}/123456789012/lemon-orders-dlq`;
    const sdk = new SQSClient({ ...sdkConfig(endpoint), useQueueUrlAsEndpoint: false });

    // Act
    const [ours_, theirs] = await both(
      () => readQueueDepth(ours("sqs", endpoint), url),
      () =>
        sdk.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        ),
    );
    sdk.destroy();

    // Assess
    expect(ours_).toEqual(theirs);
    expect(ours_?.slice(0, 2)).toEqual(["AmazonSQS.GetQueueAttributes", "application/x-amz-json-1.0"]);
  });
});
