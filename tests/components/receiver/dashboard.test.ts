import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../../components";
import { DASHBOARD_TITLES, dashboardBody } from "../../../components/receiver/dashboard";
import { DEPENDENCIES, type MetricName } from "../../../contract/metrics";
import {
  EnvelopeError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  SignatureError,
} from "../../../lambda/core/errors";
import { createEmfMetrics } from "../../../lambda/core/observability";
import { createForwarderMetrics } from "../../../lambda/forwarder/metrics";
import { failureFor } from "../../../lambda/receiver/responses";
import { writeRunMetrics } from "../../../lambda/reconciler/metrics";
import { dashboardBodyProblems, type NamedMetric, namedMetrics } from "../../support/dashboard-schema";
import {
  ACCOUNT,
  fakeBundleDir,
  installMocks,
  KNOWN_API_KEY,
  physicalName,
  promiseOf,
  REGION,
  type RecordedResource,
  recorded,
  resetRecords,
  resource,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

beforeAll(async () => {
  await installMocks();
});

beforeEach(() => {
  resetRecords();
});

type ReceiverArgs = ConstructorParameters<typeof LemonWebhookReceiver>[1];

function receiverOf(name: string, args: Partial<ReceiverArgs> = {}): LemonWebhookReceiver {
  return new LemonWebhookReceiver(name, {
    events: ["order.executed", "account.created"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    ...args,
  });
}

/** A receiver with the reconciler and two subscriptions, made after the component (the usual program). */
async function fullReceiver(name = "lemon"): Promise<LemonWebhookReceiver> {
  const receiver = receiverOf(name, { reconciler: { lambdaBundleDir: BUNDLE, apiKey: KNOWN_API_KEY } });
  receiver.subscribe("orders", {
    eventTypes: ["order.executed"],
    target: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders` },
  });
  receiver.subscribe("audit", {
    eventTypes: ["account.created"],
    target: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:audit` },
  });
  await settle();
  return receiver;
}

function bodyOf(name = "lemon-dashboard"): string {
  return resource(DASHBOARD, name).inputs.dashboardBody as string;
}

/** One (namespace, metric, dimension names, `Service`) a Lambda really writes, read off its EMF lines. */
interface Emitted {
  readonly namespace: string;
  readonly name: string;
  readonly dimensionNames: string;
  readonly service: string;
}

/**
 * Runs the three Lambdas' EMF writers over every outcome they record and collects what the lines declare:
 * the dashboard may name only these. Reject reasons come from the receiver's own error mapping.
 */
function emittedByLambdas(): { metrics: Emitted[]; rejectReasons: Set<string> } {
  const lines: string[] = [];
  const write = (line: string) => lines.push(line);
  const clock = { now: () => 1_000_000 };
  const receiver = createEmfMetrics(write, clock, "receiver-fn");
  const counters: MetricName[] = ["Received", "Stored", "Duplicates", "Failed"];
  receiver.record(counters);
  const rejectReasons = new Set<string>();
  for (const error of [
    new MethodNotAllowedError("GET"),
    new PayloadTooLargeError(1),
    new SignatureError(),
    new EnvelopeError("bad"),
  ]) {
    const { rejectReason } = failureFor(error);
    if (rejectReason === undefined) throw new Error(`${error.name} is not a rejection`);
    rejectReasons.add(rejectReason);
    receiver.record(["Received", "Rejected"], rejectReason);
  }
  for (const dependency of DEPENDENCIES) receiver.record(["Received", "Failed"], undefined, dependency);
  receiver.probeMatched?.("hex-key");
  createForwarderMetrics(write, clock, "forwarder-fn").record({
    forwarded: 1,
    forwardFailed: 1,
    alreadyForwarded: 1,
    markFailed: 1,
    oldestRecordAgeMs: 5,
  });
  writeRunMetrics(write, clock, "reconciler-fn", {
    outcome: "failed",
    since: "",
    until: "",
    watermarkGapSeconds: 1,
    scanned: 1,
    recovered: 1,
    alreadyStored: 1,
    ignored: 0,
    invalid: 1,
    newestEventMs: 1,
    previousWatermarkMs: 1,
    watermarkMs: 1,
    watermarkMoved: true,
  });
  const metrics: Emitted[] = [];
  for (const line of lines) {
    const doc = JSON.parse(line) as {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
      Service: string;
    };
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        for (const m of directive.Metrics) {
          metrics.push({
            namespace: directive.Namespace,
            name: m.Name,
            dimensionNames: [...set].sort().join(","),
            service: doc.Service,
          });
        }
      }
    }
  }
  return { metrics, rejectReasons };
}

/**
 * What AWS publishes, per namespace: the metric names and dimension names, and which recorded resources a
 * dimension value must name (so a widget cannot point at a function, queue or API outside the graph).
 */
const AWS_PUBLISHED: Record<
  string,
  {
    readonly names: readonly string[];
    readonly dimensionNames: string;
    readonly valid: (m: NamedMetric) => boolean;
  }
> = {
  // HTTP APIs publish per ApiId and Stage (the `$default` stage under its own name).
  "AWS/ApiGateway": {
    names: ["4xx", "5xx", "Count", "Latency", "IntegrationLatency", "DataProcessed"],
    dimensionNames: "ApiId,Stage",
    valid: (m) =>
      recordedOf("aws:apigatewayv2/api:Api").some((api) => `${api.name}-id` === m.dimensions.ApiId) &&
      recordedOf("aws:apigatewayv2/stage:Stage").some(
        (stage) => stage.inputs.name === m.dimensions.Stage && stage.inputs.apiId === m.dimensions.ApiId,
      ),
  },
  "AWS/Lambda": {
    names: ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions", "IteratorAge"],
    dimensionNames: "FunctionName",
    valid: (m) => {
      const fn = recordedOf("aws:lambda/function:Function").find(
        (f) => physicalName(f.name) === m.dimensions.FunctionName,
      );
      if (fn === undefined) return false;
      // IteratorAge exists only for a function reading a stream.
      return (
        m.name !== "IteratorAge" ||
        recordedOf("aws:lambda/eventSourceMapping:EventSourceMapping").some(
          (mapping) =>
            mapping.inputs.functionName === physicalName(fn.name) ||
            mapping.inputs.functionName ===
              `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physicalName(fn.name)}`,
        )
      );
    },
  },
  "AWS/SQS": {
    names: ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "NumberOfMessagesSent"],
    dimensionNames: "QueueName",
    valid: (m) =>
      recordedOf("aws:sqs/queue:Queue").some((q) => physicalName(q.name) === m.dimensions.QueueName),
  },
};

function recordedOf(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}

/** The Lambda function (physical name) that emits a `Service`, in the receiver `name`. */
function functionOfService(name: string, service: string): string {
  const byService: Record<string, string> = {
    "lemon-webhooks-receiver": physicalName(`${name}-receiver`),
    "lemon-webhooks-forwarder": physicalName(`${name}-forwarder`),
    "lemon-webhooks-reconciler": physicalName(`${name}-reconciler`),
  };
  return byService[service] ?? `no function emits ${service}`;
}

/** Why `m` is named by the dashboard of receiver `name` without anything emitting it, or undefined. */
function unbacked(
  m: NamedMetric,
  name: string,
  emitted: ReturnType<typeof emittedByLambdas>,
): string | undefined {
  const dimensionNames = Object.keys(m.dimensions).sort().join(",");
  const label = `${m.namespace} ${m.name} {${Object.entries(m.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")}}`;
  const aws = AWS_PUBLISHED[m.namespace];
  if (aws !== undefined) {
    if (!aws.names.includes(m.name) || aws.dimensionNames !== dimensionNames)
      return `${label}: not published by AWS`;
    return aws.valid(m) ? undefined : `${label}: names no resource of the graph`;
  }
  const match = emitted.metrics.find(
    (e) =>
      e.namespace === m.namespace &&
      e.name === m.name &&
      e.dimensionNames === dimensionNames &&
      e.service === m.dimensions.Service,
  );
  if (match === undefined) return `${label}: no Lambda emits it`;
  if (m.dimensions.FunctionName !== functionOfService(name, match.service))
    return `${label}: FunctionName is not the function that emits ${match.service}`;
  if (m.dimensions.Reason !== undefined && !emitted.rejectReasons.has(m.dimensions.Reason))
    return `${label}: the receiver never rejects for ${m.dimensions.Reason}`;
  const dependencies: readonly string[] = DEPENDENCIES;
  if (m.dimensions.Dependency !== undefined && !dependencies.includes(m.dimensions.Dependency))
    return `${label}: ${m.dimensions.Dependency} is no dependency of the Lambdas`;
  return undefined;
}

describe("Component: LemonWebhookReceiver dashboard", () => {
  it("writes a body that is valid CloudWatch dashboard JSON", async () => {
    // Act
    await fullReceiver();

    // Assess
    expect(dashboardBodyProblems(bodyOf())).toEqual([]);
  });

  it("names only metrics a Lambda emits or AWS publishes for a resource in the graph", async () => {
    // Prepare
    const emitted = emittedByLambdas();

    // Act
    await fullReceiver();

    // Assess
    const metrics = namedMetrics(bodyOf());
    expect(metrics.map((m) => unbacked(m, "lemon", emitted)).filter((p) => p !== undefined)).toEqual([]);
  });

  it("flags a metric no Lambda emits, another receiver's function, and an AWS metric of a resource not in the graph", async () => {
    // Prepare
    const emitted = emittedByLambdas();
    await fullReceiver();
    const receiver = { Service: "lemon-webhooks-receiver", FunctionName: physicalName("lemon-receiver") };

    // Act
    const problems = [
      unbacked(
        { namespace: "LemonWebhooks", name: "Delivered", dimensions: receiver, options: {} },
        "lemon",
        emitted,
      ),
      unbacked(
        {
          namespace: "LemonWebhooks",
          name: "Received",
          dimensions: { ...receiver, FunctionName: "other" },
          options: {},
        },
        "lemon",
        emitted,
      ),
      unbacked(
        {
          namespace: "LemonWebhooks",
          name: "Received",
          dimensions: { Service: receiver.Service },
          options: {},
        },
        "lemon",
        emitted,
      ),
      unbacked(
        {
          namespace: "AWS/SQS",
          name: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: "elsewhere" },
          options: {},
        },
        "lemon",
        emitted,
      ),
      unbacked(
        {
          namespace: "AWS/Lambda",
          name: "IteratorAge",
          dimensions: { FunctionName: physicalName("lemon-receiver") },
          options: {},
        },
        "lemon",
        emitted,
      ),
    ];

    // Assess
    expect(problems).toEqual([
      `LemonWebhooks Delivered {Service=lemon-webhooks-receiver, FunctionName=${physicalName("lemon-receiver")}}: no Lambda emits it`,
      "LemonWebhooks Received {Service=lemon-webhooks-receiver, FunctionName=other}: FunctionName is not the function that emits lemon-webhooks-receiver",
      "LemonWebhooks Received {Service=lemon-webhooks-receiver}: no Lambda emits it",
      "AWS/SQS ApproximateNumberOfMessagesVisible {QueueName=elsewhere}: names no resource of the graph",
      `AWS/Lambda IteratorAge {FunctionName=${physicalName("lemon-receiver")}}: names no resource of the graph`,
    ]);
  });

  it("draws deliveries, rejections, forwarding, backlog, failures, API, Lambda, reconciler and queue metrics", async () => {
    // Act
    await fullReceiver();

    // Assess
    const names = new Set(namedMetrics(bodyOf()).map((m) => `${m.namespace} ${m.name}`));
    expect([...names].sort()).toEqual(
      [
        "LemonWebhooks Received",
        "LemonWebhooks Stored",
        "LemonWebhooks Duplicates",
        "LemonWebhooks Rejected",
        "LemonWebhooks Failed",
        "LemonWebhooks Forwarded",
        "LemonWebhooks ForwardFailed",
        "LemonWebhooks AlreadyForwarded",
        "LemonWebhooks MarkFailed",
        "LemonWebhooks OldestRecordAgeMs",
        "LemonWebhooks FailedRuns",
        "LemonWebhooks Recovered",
        "LemonWebhooks WatermarkAgeSeconds",
        "LemonWebhooks LagSeconds",
        "AWS/Lambda IteratorAge",
        "AWS/Lambda Duration",
        "AWS/Lambda Throttles",
        "AWS/Lambda Invocations",
        "AWS/ApiGateway 4xx",
        "AWS/ApiGateway 5xx",
        "AWS/ApiGateway Latency",
        "AWS/SQS ApproximateNumberOfMessagesVisible",
      ].sort(),
    );
    const titles = (JSON.parse(bodyOf()) as { widgets: { properties: { title?: string } }[] }).widgets
      .map((w) => w.properties.title)
      .filter((t) => t !== undefined);
    expect(titles).toEqual(Object.values(DASHBOARD_TITLES));
  });

  it("draws one rejection line per reason the receiver rejects for", async () => {
    // Prepare
    const { rejectReasons } = emittedByLambdas();

    // Act
    await fullReceiver();

    // Assess
    const reasons = namedMetrics(bodyOf())
      .filter((m) => m.name === "Rejected")
      .map((m) => m.dimensions.Reason);
    expect(reasons.sort()).toEqual([...rejectReasons].sort());
  });

  it("draws the receiver's failures in total and per dependency it has", async () => {
    // Act
    await fullReceiver();

    // Assess
    const failed = namedMetrics(bodyOf())
      .filter((m) => m.name === "Failed")
      .map((m) => m.dimensions.Dependency ?? "total");
    expect(failed).toEqual(["total", "secrets-manager", "dynamodb"]);
  });

  it("shows the dead-letter depth of the failure queue and of every subscription made after the component", async () => {
    // Act
    await fullReceiver();

    // Assess
    const queues = namedMetrics(bodyOf())
      .filter((m) => m.namespace === "AWS/SQS")
      .map((m) => [m.dimensions.QueueName, m.options.label]);
    expect(queues).toEqual([
      [physicalName("lemon-forward-failures"), "forward failures"],
      [physicalName("lemon-orders-dlq"), "subscription orders"],
      [physicalName("lemon-audit-dlq"), "subscription audit"],
    ]);
  });

  it("lists the state of every alarm the component creates, the reconciler's and the subscriptions' included", async () => {
    // Act
    await fullReceiver();

    // Assess
    const body = JSON.parse(bodyOf()) as { widgets: { type: string; properties: { alarms?: string[] } }[] };
    const alarmWidgets = body.widgets.filter((w) => w.type === "alarm");
    expect(alarmWidgets).toHaveLength(1);
    const expected = recordedOf("aws:cloudwatch/metricAlarm:MetricAlarm").map(
      (a) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${physicalName(a.name)}`,
    );
    // receiver 4, forwarder 3, reconciler 6, one per subscription's DLQ
    expect(expected).toHaveLength(15);
    expect([...(alarmWidgets[0]?.properties.alarms ?? [])].sort()).toEqual(expected.sort());
  });

  it("leaves out, and warns about, a subscription made after the program's synchronous part", async () => {
    // Prepare
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const receiver = receiverOf("lemon");
    await new Promise((resolve) => setImmediate(resolve));

    // Act
    receiver.subscribe("late", {
      eventTypes: ["order.executed"],
      target: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:late` },
    });
    await settle();

    // Assess
    const queues = namedMetrics(bodyOf())
      .filter((m) => m.namespace === "AWS/SQS")
      .map((m) => m.dimensions.QueueName);
    expect(queues).toEqual([physicalName("lemon-forward-failures")]);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'subscribe("late"): the dashboard was already written, so this subscription\'s dead-letter queue and alarm are not on it; subscribe in the same synchronous part of the program as the receiver (no await in between)',
    ]);
    warn.mockRestore();
  });

  it("draws no reconciler widgets without a reconciler", async () => {
    // Act
    receiverOf("lemon");
    await settle();

    // Assess
    const metrics = namedMetrics(bodyOf());
    expect(metrics.filter((m) => m.dimensions.Service === "lemon-webhooks-reconciler")).toEqual([]);
    expect(metrics.filter((m) => m.name === "Invocations")).toEqual([]);
    expect(dashboardBodyProblems(bodyOf())).toEqual([]);
  });

  it("keeps two receivers' numbers apart: each dashboard names only its own functions, API and queues", async () => {
    // Prepare
    const emitted = emittedByLambdas();

    // Act
    await fullReceiver("alpha");
    await fullReceiver("beta");

    // Assess
    for (const name of ["alpha", "beta"]) {
      const metrics = namedMetrics(bodyOf(`${name}-dashboard`));
      expect(metrics.map((m) => unbacked(m, name, emitted)).filter((p) => p !== undefined)).toEqual([]);
      const other = name === "alpha" ? "beta" : "alpha";
      expect(JSON.stringify(metrics).includes(`${other}-`)).toBe(false);
    }
  });

  it("exposes the dashboard's name and console URL as outputs", async () => {
    // Act
    const receiver = await fullReceiver();

    // Assess
    const name = "lemon-lemon-webhooks-test";
    expect(resource(DASHBOARD, "lemon-dashboard").inputs.dashboardName).toBe(name);
    expect(await promiseOf(receiver.dashboardName as pulumi.Output<string>)).toBe(name);
    expect(await promiseOf(receiver.dashboardUrl as pulumi.Output<string>)).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${name}`,
    );
  });

  it("creates no dashboard and no dashboard outputs with dashboard: false", async () => {
    // Act
    const receiver = receiverOf("lemon", { dashboard: false });
    await settle();

    // Assess
    expect(recordedOf(DASHBOARD)).toEqual([]);
    expect(receiver.dashboardName).toBeUndefined();
    expect(receiver.dashboardUrl).toBeUndefined();
  });

  it("rejects a dashboard argument that is not a boolean, naming the field", () => {
    // Act
    const act = () => receiverOf("lemon", { dashboard: "yes" as unknown as boolean });

    // Assess
    expect(act).toThrow(
      '[dashboard] must be true or false (got "yes"); omit it for a dashboard (the default)',
    );
    expect(recorded).toEqual([]);
  });
});

describe("Function: dashboardBodyProblems", () => {
  const facts = {
    receiverName: "lemon",
    region: REGION,
    apiId: "api",
    receiverFunctionName: "r",
    forwarderFunctionName: "f",
    failureQueueName: "q",
    alarmArns: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a`],
    subscriptions: [],
  };

  it("accepts the component's body", () => {
    // Act
    const problems = dashboardBodyProblems(JSON.stringify(dashboardBody(facts)));

    // Assess
    expect(problems).toEqual([]);
  });

  it("reports a widget past the 24th column, an odd dimension list, a bad stat and a missing region", () => {
    // Prepare
    const body = {
      widgets: [
        {
          type: "metric",
          x: 20,
          y: 0,
          width: 6,
          height: 6,
          properties: { metrics: [["NS", "M", "Dim"]], region: REGION },
        },
        {
          type: "metric",
          x: 0,
          y: 6,
          width: 6,
          height: 6,
          properties: { metrics: [["NS", "M", { stat: "Median" }]] },
        },
        { type: "alarm", x: 0, y: 12, width: 6, height: 6, properties: { alarms: ["not-an-arn"] } },
        { type: "chart", x: 0, y: 18, width: 6, height: 6.5, properties: {} },
      ],
    };

    // Act
    const problems = dashboardBodyProblems(JSON.stringify(body));

    // Assess
    expect(problems).toEqual([
      "widgets[0]: x + width exceeds the 24 columns",
      "widgets[0].metrics[0]: must be [namespace, name, dimName, dimValue, …] (got 3 strings)",
      "widgets[1]: a metric widget needs a region",
      'widgets[1].metrics[0]: stat "Median" is not a CloudWatch statistic',
      "widgets[2].alarms[0]: not an alarm ARN: not-an-arn",
      'widgets[3]: type must be one of metric, text, alarm, log, explorer (got "chart")',
      "widgets[3]: height must be 1–1000",
    ]);
  });

  it("splits more than 100 alarms over several alarm widgets", () => {
    // Prepare
    const alarmArns = Array.from(
      { length: 230 },
      (_, i) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a${i}`,
    );

    // Act
    const body = dashboardBody({ ...facts, alarmArns });

    // Assess
    const widgets = body.widgets.filter((w) => w.type === "alarm");
    expect(widgets.map((w) => (w.properties.alarms as string[]).length)).toEqual([100, 100, 30]);
    expect(widgets.flatMap((w) => w.properties.alarms as string[])).toEqual(alarmArns);
    expect(dashboardBodyProblems(JSON.stringify(body))).toEqual([]);
  });

  it("reports overlapping widgets", () => {
    // Prepare
    const text = (x: number) => ({
      type: "text",
      x,
      y: 0,
      width: 6,
      height: 2,
      properties: { markdown: "#" },
    });

    // Act
    const problems = dashboardBodyProblems(JSON.stringify({ widgets: [text(0), text(4)] }));

    // Assess
    expect(problems).toEqual(["widgets[1] overlaps widgets[0] at 4,0"]);
  });
});
