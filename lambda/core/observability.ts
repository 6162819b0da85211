/**
 * Structured JSON logs and CloudWatch Embedded Metric Format (EMF) lines, both written as single lines to a
 * `write` function (stdout in Lambda, where CloudWatch Logs picks them up and extracts EMF metrics; an array in
 * tests). Records are flat and built by the core from known fields only: never secrets, signatures or headers.
 */
import type { Dependency } from "./errors";
import type { Clock, Logger, LogRecord, MetricName, Metrics, RejectReason } from "./ports";

/** CloudWatch namespace of the receiver's metrics. */
export const METRICS_NAMESPACE = "LemonWebhooks";
/** Value of the `Service` dimension every metric carries. */
export const METRICS_SERVICE = "lemon-webhooks-receiver";

/**
 * Dimension names of the package's EMF metrics (receiver, forwarder, reconciler). Every metric carries
 * `Service` and `FunctionName` (the Lambda's name), so two receivers in one account never mix their numbers.
 */
export const METRIC_DIMENSIONS = Object.freeze({
  service: "Service",
  functionName: "FunctionName",
  /** `Rejected` only: the {@link RejectReason}. */
  reason: "Reason",
  /** `SchemeProbeMatched` only: the preset a rejected delivery verified under. */
  preset: "Preset",
  /** `Failed` only, when a dependency was unavailable: the `Dependency` (`secrets-manager`, `dynamodb`). */
  dependency: "Dependency",
} as const);

/** The dependencies a receiver's `Failed` can name: its secret (Secrets Manager) and its store (DynamoDB). */
export const RECEIVER_DEPENDENCIES = Object.freeze([
  "secrets-manager",
  "dynamodb",
] as const satisfies readonly Dependency[]);

/** The `FunctionName` dimension outside Lambda (sandbox, tests), where `AWS_LAMBDA_FUNCTION_NAME` is unset. */
export const LOCAL_FUNCTION_NAME = "local";

/** Metric names the receiver emits (import these; do not spell them out). */
export const RECEIVER_METRICS = Object.freeze({
  received: "Received",
  stored: "Stored",
  duplicates: "Duplicates",
  rejected: "Rejected",
  /** A request that could not be answered 200 for a reason on our side (a dependency, config, a bug). */
  failed: "Failed",
  schemeProbeMatched: "SchemeProbeMatched",
} as const satisfies Record<string, MetricName | "SchemeProbeMatched">);

/** Receives one complete line (no trailing newline). */
export type LineWriter = (line: string) => void;

/** Writes lines to stdout directly: in Lambda, `console.log` would prefix them and break EMF parsing. */
export const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * A logger writing `{"level","timestamp",...record}` JSON lines: the two keys Lambda's JSON log format reads to
 * filter application logs by level (without a valid RFC 3339 `timestamp` it would take every line as INFO).
 *
 * @example
 * createJsonLogger(stdoutWriter, clock).info({ outcome: "forwarded", eventId: "evt_1" });
 */
export function createJsonLogger(write: LineWriter, clock: Clock): Logger {
  const line = (level: string, record: LogRecord) =>
    write(JSON.stringify({ level, timestamp: new Date(clock.now()).toISOString(), ...record }));
  return {
    info: (record) => line("info", record),
    warn: (record) => line("warn", record),
    error: (record) => line("error", record),
  };
}

/**
 * Metrics written as one EMF document per request: every counter under the `Service`+`FunctionName`
 * dimensions (`functionName` is the Lambda's own, `AWS_LAMBDA_FUNCTION_NAME`), and `Rejected` additionally
 * under `Service`+`FunctionName`+`Reason` so rejections can be told apart, and `Failed` additionally under
 * `Service`+`FunctionName`+`Dependency` when an unavailable dependency caused it.
 *
 * @example
 * createEmfMetrics(stdoutWriter, clock, "lemon-receiver-1a2b3c").record(["Received", "Rejected"], "signature");
 */
export function createEmfMetrics(write: LineWriter, clock: Clock, functionName: string): Metrics {
  const d = METRIC_DIMENSIONS;
  return {
    probeMatched(preset: string) {
      const directive = {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [[d.service, d.functionName, d.preset]],
        Metrics: [{ Name: RECEIVER_METRICS.schemeProbeMatched, Unit: "Count" }],
      };
      write(
        JSON.stringify({
          _aws: { Timestamp: clock.now(), CloudWatchMetrics: [directive] },
          Service: METRICS_SERVICE,
          FunctionName: functionName,
          Preset: preset,
          [RECEIVER_METRICS.schemeProbeMatched]: 1,
        }),
      );
    },
    record(counts: ReadonlyArray<MetricName>, reason?: RejectReason, dependency?: Dependency) {
      if (counts.length === 0) return;
      const directives: object[] = [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[d.service, d.functionName]],
          Metrics: counts.map((name) => ({ Name: name, Unit: "Count" })),
        },
      ];
      if (reason !== undefined && counts.includes(RECEIVER_METRICS.rejected)) {
        directives.push({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[d.service, d.functionName, d.reason]],
          Metrics: [{ Name: RECEIVER_METRICS.rejected, Unit: "Count" }],
        });
      }
      if (dependency !== undefined && counts.includes(RECEIVER_METRICS.failed)) {
        directives.push({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[d.service, d.functionName, d.dependency]],
          Metrics: [{ Name: RECEIVER_METRICS.failed, Unit: "Count" }],
        });
      }
      const values = Object.fromEntries(counts.map((name) => [name, 1]));
      write(
        JSON.stringify({
          _aws: { Timestamp: clock.now(), CloudWatchMetrics: directives },
          Service: METRICS_SERVICE,
          FunctionName: functionName,
          ...(reason === undefined ? {} : { Reason: reason }),
          ...(dependency === undefined ? {} : { Dependency: dependency }),
          ...values,
        }),
      );
    },
  };
}
