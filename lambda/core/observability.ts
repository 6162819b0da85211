/**
 * Structured JSON logs and CloudWatch Embedded Metric Format (EMF) lines, both written as single lines to a
 * `write` function (stdout in Lambda, where CloudWatch Logs picks them up and extracts EMF metrics; an array in
 * tests). Records are flat and built by the core from known fields only: never secrets, signatures or headers.
 */
import {
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricName,
  RECEIVER_METRICS,
  type RejectReason,
} from "../../contract/metrics";
import type { Dependency } from "./errors";
import type { Clock, Logger, LogRecord, Metrics } from "./ports";

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
