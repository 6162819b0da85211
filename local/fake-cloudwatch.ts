/**
 * A local CloudWatch for what `lemon-webhooks status` reads: `GetMetricData` (metric-stat queries over seeded
 * datapoints, bucketed by period and aggregated by statistic, newest first as CloudWatch's default
 * `TimestampDescending`) and `DescribeAlarms` (by names, prefix and state, paged by `MaxRecords`). AWS JSON 1.0
 * as the SDK v3 speaks it: timestamps are epoch seconds. Faults: access denied (400 AccessDeniedException) and
 * throttling (400 ThrottlingException). Point a client at it with `AWS_ENDPOINT_URL_CLOUDWATCH=<endpoint>`.
 */
import { AWS_JSON_PROTOCOLS } from "../lambda/aws/json-client";
import { awsError, FaultPlan, type JsonReply, startJsonServer } from "./aws-json-server";

/** How a faulty call fails. */
export type CloudWatchFault = "denied" | "throttle";

/** The operations served. */
export type CloudWatchOperation = "GetMetricData" | "DescribeAlarms";

/** One metric: namespace, name and its full dimension set (CloudWatch matches dimensions exactly). */
export interface FakeMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** An alarm as DescribeAlarms lists it. */
export interface FakeAlarm {
  readonly name: string;
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  readonly reason?: string;
  /** When the state last changed, epoch ms. */
  readonly updatedMs?: number;
}

/** A running fake CloudWatch. */
export interface FakeCloudWatch {
  readonly endpoint: string;
  /** Records one datapoint (`value` at `timestampMs`) of `metric`. */
  put(metric: FakeMetric, timestampMs: number, value: number): void;
  /** Adds or replaces an alarm. */
  setAlarm(alarm: FakeAlarm): void;
  /** Number of calls per operation, faulted ones included. */
  calls(operation: CloudWatchOperation): number;
  /** The next `count` calls (of `operation` only, when given) fail with `fault` (default throttle). */
  failNext(count: number, fault?: CloudWatchFault, operation?: CloudWatchOperation): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface Datapoint {
  readonly key: string;
  readonly timestampMs: number;
  readonly value: number;
}

const STATISTICS: Readonly<Record<string, (values: readonly number[]) => number>> = {
  Sum: (v) => v.reduce((a, b) => a + b, 0),
  Maximum: (v) => Math.max(...v),
  Minimum: (v) => Math.min(...v),
  Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  SampleCount: (v) => v.length,
};

const MAX_ALARM_RECORDS = 100;

function metricKey(namespace: string, name: string, dimensions: Readonly<Record<string, string>>): string {
  const dims = Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([namespace, name, dims]);
}

function queryKey(stat: Record<string, unknown>): string | undefined {
  const metric = stat.Metric as Record<string, unknown> | undefined;
  if (typeof metric?.Namespace !== "string" || typeof metric.MetricName !== "string") return undefined;
  const dimensions: Record<string, string> = {};
  for (const raw of Array.isArray(metric.Dimensions) ? metric.Dimensions : []) {
    const d = raw as Record<string, unknown>;
    if (typeof d.Name === "string" && typeof d.Value === "string") dimensions[d.Name] = d.Value;
  }
  return metricKey(metric.Namespace, metric.MetricName, dimensions);
}

/**
 * Starts the fake on 127.0.0.1.
 *
 * @example
 * const cw = await startFakeCloudWatch();
 * cw.put({ namespace: "LemonWebhooks", name: "Received", dimensions: { Service: "lemon-webhooks-receiver" } }, Date.now(), 1);
 * cw.setAlarm({ name: "lemon-api-5xx-0a1b2c3", state: "ALARM" });
 */
export async function startFakeCloudWatch(options: { readonly port?: number } = {}): Promise<FakeCloudWatch> {
  const datapoints: Datapoint[] = [];
  const alarms = new Map<string, FakeAlarm>();
  const faults = new FaultPlan<CloudWatchFault>();
  // Faults aimed at one operation: calls made concurrently reach the server in no fixed order.
  const aimed: Record<CloudWatchOperation, FaultPlan<CloudWatchFault>> = {
    GetMetricData: new FaultPlan(),
    DescribeAlarms: new FaultPlan(),
  };
  const counts = { GetMetricData: 0, DescribeAlarms: 0 };

  const fault = (operation: CloudWatchOperation): JsonReply | undefined => {
    const kind = aimed[operation].take() ?? faults.take();
    if (kind === "denied") {
      return awsError(400, "AccessDeniedException", "User is not authorized to perform this operation");
    }
    if (kind === "throttle") return awsError(400, "ThrottlingException", "Rate exceeded");
    return undefined;
  };

  const getMetricData = (input: Record<string, unknown>): JsonReply => {
    counts.GetMetricData += 1;
    const failed = fault("GetMetricData");
    if (failed !== undefined) return failed;
    const { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: scanBy } = input;
    if (!Array.isArray(queries) || queries.length === 0 || queries.length > 500) {
      return awsError(400, "InvalidParameterValueException", "MetricDataQueries must hold 1 to 500 queries");
    }
    if (typeof start !== "number" || typeof end !== "number" || end <= start) {
      return awsError(400, "InvalidParameterValueException", "StartTime must be before EndTime");
    }
    const results: object[] = [];
    for (const raw of queries) {
      const query = raw as Record<string, unknown>;
      const stat = query.MetricStat as Record<string, unknown> | undefined;
      const key = stat === undefined ? undefined : queryKey(stat);
      const aggregate = stat === undefined ? undefined : STATISTICS[String(stat.Stat)];
      const period = stat?.Period;
      if (typeof query.Id !== "string" || key === undefined || aggregate === undefined) {
        return awsError(400, "InvalidParameterValueException", "each query needs an Id and a MetricStat");
      }
      if (typeof period !== "number" || period < 60 || period % 60 !== 0) {
        return awsError(400, "InvalidParameterValueException", "Period must be a multiple of 60");
      }
      const buckets = new Map<number, number[]>();
      for (const point of datapoints) {
        const seconds = point.timestampMs / 1000;
        if (point.key !== key || seconds < start || seconds >= end) continue;
        const bucket = Math.floor(seconds / period) * period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value]);
      }
      const order = [...buckets.keys()].sort((a, b) => (scanBy === "TimestampAscending" ? a - b : b - a));
      if (query.ReturnData === false) continue;
      results.push({
        Id: query.Id,
        Label: typeof query.Label === "string" ? query.Label : JSON.parse(key)[1],
        Timestamps: order,
        Values: order.map((bucket) => aggregate(buckets.get(bucket)!)),
        StatusCode: "Complete",
      });
    }
    return { status: 200, body: { MetricDataResults: results, Messages: [] } };
  };

  const describeAlarms = (input: Record<string, unknown>): JsonReply => {
    counts.DescribeAlarms += 1;
    const failed = fault("DescribeAlarms");
    if (failed !== undefined) return failed;
    const { AlarmNames: names, AlarmNamePrefix: prefix, StateValue: state, MaxRecords, NextToken } = input;
    if (Array.isArray(names) && names.length > 100) {
      return awsError(400, "InvalidParameterValueException", "AlarmNames holds at most 100 names");
    }
    const wanted = Array.isArray(names) ? new Set(names.map(String)) : undefined;
    const matching = [...alarms.values()]
      .filter((a) => wanted === undefined || wanted.has(a.name))
      .filter((a) => typeof prefix !== "string" || a.name.startsWith(prefix))
      .filter((a) => typeof state !== "string" || a.state === state)
      .sort((a, b) => a.name.localeCompare(b.name));
    const size = typeof MaxRecords === "number" ? Math.min(MaxRecords, MAX_ALARM_RECORDS) : MAX_ALARM_RECORDS;
    const from = typeof NextToken === "string" ? Number(NextToken) : 0;
    const page = matching.slice(from, from + size);
    const next = from + size < matching.length ? String(from + size) : undefined;
    return {
      status: 200,
      body: {
        MetricAlarms: page.map((a) => ({
          AlarmName: a.name,
          AlarmArn: `arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${a.name}`,
          StateValue: a.state,
          StateReason: a.reason ?? `Threshold ${a.state === "ALARM" ? "crossed" : "not crossed"}`,
          ...(a.updatedMs === undefined ? {} : { StateUpdatedTimestamp: a.updatedMs / 1000 }),
        })),
        CompositeAlarms: [],
        ...(next === undefined ? {} : { NextToken: next }),
      },
    };
  };

  const running = await startJsonServer({
    ...AWS_JSON_PROTOCOLS.cloudwatch,
    operations: { GetMetricData: getMetricData, DescribeAlarms: describeAlarms },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    endpoint: running.endpoint,
    put: (metric, timestampMs, value) =>
      datapoints.push({
        key: metricKey(metric.namespace, metric.name, metric.dimensions),
        timestampMs,
        value,
      }),
    setAlarm: (alarm) => alarms.set(alarm.name, alarm),
    calls: (operation) => counts[operation],
    failNext: (count, kind = "throttle", operation) =>
      (operation === undefined ? faults : aimed[operation]).failNext(count, kind),
    clearFaults: () => {
      faults.clear();
      aimed.GetMetricData.clear();
      aimed.DescribeAlarms.clear();
    },
    close: running.close,
  };
}
