/**
 * The forwarder's CloudWatch metrics: one Embedded Metric Format line per batch, in the receiver's namespace
 * (`LemonWebhooks`) under `Service=lemon-webhooks-forwarder` and the function's name (`FunctionName`, so two
 * receivers in one account never mix their numbers). The components alarm on `ForwardFailed ≥ 1` and on `OldestRecordAgeMs` (how long the oldest event of a batch waited between being stored and being
 * handled: the delay consumers see), next to the mapping's own `IteratorAge`.
 */
import {
  FORWARDER_METRICS,
  FORWARDER_SERVICE,
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
} from "../../contract/metrics";
import type { LineWriter } from "../core/observability";
import type { Clock } from "../core/ports";

/** What one batch did. */
export interface BatchFigures {
  readonly forwarded: number;
  readonly forwardFailed: number;
  readonly alreadyForwarded: number;
  readonly markFailed: number;
  /** Absent when no record carried a readable `receivedAtMs`. */
  readonly oldestRecordAgeMs?: number;
}

/** Records one batch's figures. */
export interface ForwarderMetrics {
  record(figures: BatchFigures): void;
}

/**
 * Metrics as one EMF line per batch under the `Service`+`FunctionName` dimensions (`functionName` is the
 * Lambda's own, so two receivers in one account never mix their numbers).
 *
 * @example
 * createForwarderMetrics(stdoutWriter, clock, "lemon-forwarder-1a2b3c").record({ forwarded: 3, forwardFailed: 0, alreadyForwarded: 0, markFailed: 0 });
 */
export function createForwarderMetrics(
  write: LineWriter,
  clock: Clock,
  functionName: string,
): ForwarderMetrics {
  return {
    record(figures) {
      const m = FORWARDER_METRICS;
      const values: Record<string, number> = {
        [m.forwarded]: figures.forwarded,
        [m.forwardFailed]: figures.forwardFailed,
        [m.alreadyForwarded]: figures.alreadyForwarded,
        [m.markFailed]: figures.markFailed,
      };
      if (figures.oldestRecordAgeMs !== undefined) values[m.oldestRecordAge] = figures.oldestRecordAgeMs;
      const metrics = Object.keys(values).map((name) => ({
        Name: name,
        Unit: name === m.oldestRecordAge ? "Milliseconds" : "Count",
      }));
      write(
        JSON.stringify({
          _aws: {
            Timestamp: clock.now(),
            CloudWatchMetrics: [
              {
                Namespace: METRICS_NAMESPACE,
                Dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.functionName]],
                Metrics: metrics,
              },
            ],
          },
          Service: FORWARDER_SERVICE,
          FunctionName: functionName,
          ...values,
        }),
      );
    },
  };
}
