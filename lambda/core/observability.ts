/**
 * Structured JSON logs and CloudWatch Embedded Metric Format (EMF) lines, both written as single lines to a
 * `write` function (stdout in Lambda, where CloudWatch Logs picks them up and extracts EMF metrics; an array in
 * tests). Records are flat and built by the core from known fields only: never secrets, signatures or headers.
 */
import type { Clock, Logger, LogRecord, MetricName, Metrics, RejectReason } from "./ports";

/** CloudWatch namespace of the receiver's metrics. */
export const METRICS_NAMESPACE = "LemonWebhooks";
/** Value of the `Service` dimension every metric carries. */
export const METRICS_SERVICE = "lemon-webhooks-receiver";

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
 * Metrics written as one EMF document per request: every counter under the `Service` dimension, and
 * `Rejected` additionally under `Service`+`Reason` so rejections can be told apart.
 *
 * @example
 * createEmfMetrics(stdoutWriter, clock).record(["Received", "Rejected"], "signature");
 */
export function createEmfMetrics(write: LineWriter, clock: Clock): Metrics {
  return {
    probeMatched(preset: string) {
      const directive = {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [["Service", "Preset"]],
        Metrics: [{ Name: "SchemeProbeMatched", Unit: "Count" }],
      };
      write(
        JSON.stringify({
          _aws: { Timestamp: clock.now(), CloudWatchMetrics: [directive] },
          Service: METRICS_SERVICE,
          Preset: preset,
          SchemeProbeMatched: 1,
        }),
      );
    },
    record(counts: ReadonlyArray<MetricName>, reason?: RejectReason) {
      if (counts.length === 0) return;
      const directives: object[] = [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [["Service"]],
          Metrics: counts.map((name) => ({ Name: name, Unit: "Count" })),
        },
      ];
      if (reason !== undefined && counts.includes("Rejected")) {
        directives.push({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [["Service", "Reason"]],
          Metrics: [{ Name: "Rejected", Unit: "Count" }],
        });
      }
      const values = Object.fromEntries(counts.map((name) => [name, 1]));
      write(
        JSON.stringify({
          _aws: { Timestamp: clock.now(), CloudWatchMetrics: directives },
          Service: METRICS_SERVICE,
          ...(reason === undefined ? {} : { Reason: reason }),
          ...values,
        }),
      );
    },
  };
}
