/**
 * The forwarder's CloudWatch metrics: one Embedded Metric Format line per batch, in the receiver's namespace
 * (`LemonWebhooks`) under `Service=lemon-webhooks-forwarder`. The components alarm on `ForwardFailed ≥ 1`
 * and on `OldestRecordAgeMs` (how long the oldest event of a batch waited between being stored and being
 * handled: the delay consumers see), next to the mapping's own `IteratorAge`.
 */
import { type LineWriter, METRICS_NAMESPACE } from "../core/observability";
import type { Clock } from "../core/ports";

/** Value of the `Service` dimension. */
export const FORWARDER_SERVICE = "lemon-webhooks-forwarder";

/** Metric names the forwarder emits (import these; do not spell them out). */
export const FORWARDER_METRICS = Object.freeze({
  /** Events EventBridge accepted in this batch. */
  forwarded: "Forwarded",
  /** Records reported back for retry (not accepted, or not a readable event item). */
  forwardFailed: "ForwardFailed",
  /** Records skipped because their event was already marked forwarded (a retry re-delivered them). */
  alreadyForwarded: "AlreadyForwarded",
  /** Accepted events whose `forwardedAtMs` mark could not be written (logged; they are on the bus). */
  markFailed: "MarkFailed",
  /** now − receivedAtMs of the oldest event in the batch, milliseconds. */
  oldestRecordAge: "OldestRecordAgeMs",
} as const);

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
 * Metrics as one EMF line per batch under the `Service` dimension.
 *
 * @example
 * createForwarderMetrics(stdoutWriter, clock).record({ forwarded: 3, forwardFailed: 0, alreadyForwarded: 0, markFailed: 0 });
 */
export function createForwarderMetrics(write: LineWriter, clock: Clock): ForwarderMetrics {
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
              { Namespace: METRICS_NAMESPACE, Dimensions: [["Service"]], Metrics: metrics },
            ],
          },
          Service: FORWARDER_SERVICE,
          ...values,
        }),
      );
    },
  };
}
