/**
 * The reconciler's CloudWatch metrics: one Embedded Metric Format line per run, in the receiver's namespace
 * (`LemonWebhooks`) under `Service=lemon-webhooks-reconciler` and the function's name, so two stacks in one
 * account never mix their numbers. Alarmed: `Recovered ≥ 1` ("webhooks are failing"), `Invalid ≥ 1` (the API
 * served events that cannot be stored) and `WatermarkGapSeconds ≥ 1` (part of a window was skipped).
 */
import { METRICS_NAMESPACE, RECONCILER_METRICS, RECONCILER_SERVICE } from "../../contract/metrics";
import type { LineWriter } from "../core/observability";
import type { Clock } from "../core/ports";
import type { ReconcileReport } from "./reconcile";

/**
 * Writes the run's metrics. `LagSeconds` (now − newest event seen) is omitted when the run saw no event:
 * "no events" is not "no lag", and a made-up value would distort the statistic. `WatermarkAgeSeconds`
 * (now − watermark after the run) grows when runs keep failing or stop short; it is omitted while there is
 * no watermark yet. `WatermarkGapSeconds` is 0 unless the run had to skip part of its window.
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
    [RECONCILER_METRICS.alreadyStored]: report.alreadyStored,
    [RECONCILER_METRICS.invalid]: report.invalid,
    [RECONCILER_METRICS.scanned]: report.scanned,
    [RECONCILER_METRICS.failedRuns]: report.outcome === "failed" ? 1 : 0,
    [RECONCILER_METRICS.watermarkGap]: report.watermarkGapSeconds,
  };
  const metrics: { Name: string; Unit: string }[] = Object.keys(counts).map((name) => ({
    Name: name,
    Unit: name === RECONCILER_METRICS.watermarkGap ? "Seconds" : "Count",
  }));
  const values: Record<string, number> = { ...counts };
  if (report.newestEventMs !== undefined) {
    metrics.push({ Name: RECONCILER_METRICS.lag, Unit: "Seconds" });
    values[RECONCILER_METRICS.lag] = Math.max(0, Math.round((nowMs - report.newestEventMs) / 1000));
  }
  if (report.watermarkMs !== undefined) {
    metrics.push({ Name: RECONCILER_METRICS.watermarkAge, Unit: "Seconds" });
    values[RECONCILER_METRICS.watermarkAge] = Math.max(0, Math.round((nowMs - report.watermarkMs) / 1000));
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
