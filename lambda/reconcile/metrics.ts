/**
 * The reconciler's CloudWatch metrics: one Embedded Metric Format line per run, in the receiver's namespace
 * (`LemonWebhooks`) under `Service=lemon-webhooks-reconciler` and the function's name, so two stacks in one
 * account never mix their numbers. `Recovered > 0` is the "webhooks are failing" alarm.
 */
import { type LineWriter, METRICS_NAMESPACE } from "../observability";
import type { Clock } from "../ports";
import type { ReconcileReport } from "./reconcile";

/** Value of the `Service` dimension. */
export const RECONCILER_SERVICE = "lemon-webhooks-reconciler";

/** Metric names the reconciler emits (counts per run, and the lag in seconds). */
export const RECONCILER_METRICS = {
  recovered: "Recovered",
  alreadyForwarded: "AlreadyForwarded",
  inFlight: "InFlight",
  invalid: "Invalid",
  scanned: "Scanned",
  failedRuns: "FailedRuns",
  lag: "LagSeconds",
} as const;

/**
 * Writes the run's metrics. `LagSeconds` (now − newest event seen) is omitted when the run saw no event:
 * "no events" is not "no lag", and a made-up value would distort the statistic.
 *
 * @example
 * writeRunMetrics(stdoutWriter, clock, "lemon-reconciler-1a2b3c", report);
 */
export function writeRunMetrics(
  write: LineWriter,
  clock: Clock,
  functionName: string,
  report: ReconcileReport,
): void {
  const nowMs = clock.now();
  const counts: Record<string, number> = {
    [RECONCILER_METRICS.recovered]: report.recovered,
    [RECONCILER_METRICS.alreadyForwarded]: report.alreadyForwarded,
    [RECONCILER_METRICS.inFlight]: report.inFlight,
    [RECONCILER_METRICS.invalid]: report.invalid,
    [RECONCILER_METRICS.scanned]: report.scanned,
    [RECONCILER_METRICS.failedRuns]: report.outcome === "failed" ? 1 : 0,
  };
  const metrics: { Name: string; Unit: string }[] = Object.keys(counts).map((name) => ({
    Name: name,
    Unit: "Count",
  }));
  const values: Record<string, number> = { ...counts };
  if (report.newestEventMs !== undefined) {
    metrics.push({ Name: RECONCILER_METRICS.lag, Unit: "Seconds" });
    values[RECONCILER_METRICS.lag] = Math.max(0, Math.round((nowMs - report.newestEventMs) / 1000));
  }
  write(
    JSON.stringify({
      _aws: {
        Timestamp: nowMs,
        CloudWatchMetrics: [
          { Namespace: METRICS_NAMESPACE, Dimensions: [["Service", "FunctionName"]], Metrics: metrics },
        ],
      },
      Service: RECONCILER_SERVICE,
      FunctionName: functionName,
      ...values,
    }),
  );
}
