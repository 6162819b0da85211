/**
 * The reconciler's alarms, all to the receiver's alarm topic when there is one:
 * - `recovered`: `Recovered ≥ 1`: an event was stored only by reconciliation (the webhooks are failing);
 * - `errors`: the Lambda failed (API unreachable, key rejected, AWS failing);
 * - `invalid`: `Invalid ≥ 1`: the API served an event the reconciler cannot store (never silently skipped);
 * - `watermark-gap`: `WatermarkGapSeconds ≥ 1`: a run skipped part of its window because it reached back
 *   further than the dedupe TTL (the reconciler had not completed a run for about that long);
 * - `not-running`: the reconciler's schedule group made no invocation attempt for twice the interval: the
 *   schedule was disabled or deleted, and nothing else would notice. Attempts are counted per schedule group
 *   (a group of its own, so no other schedule's attempts count), which keeps the alarm's metric the same
 *   across function replacements. Missing data is "missing", not "breaching": a fresh deploy has no data
 *   until the first scheduled run (one interval later) and must not alarm; an alarm whose metric stops
 *   arriving goes to INSUFFICIENT_DATA, which notifies (insufficient-data actions) once it HAD data;
 * - `schedule-failing`: the scheduler tried and the invoke failed (role, permission or function missing).
 * A fresh deploy or a function replacement trips none of them.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, RECONCILER_METRICS, RECONCILER_SERVICE } from "../../contract/metrics";
import { createCountAlarm } from "../shared/alarms";

/** The alarms of one reconciler. */
export interface ReconcilerAlarms {
  readonly recovered: aws.cloudwatch.MetricAlarm;
  readonly errors: aws.cloudwatch.MetricAlarm;
  readonly invalid: aws.cloudwatch.MetricAlarm;
  readonly watermarkGap: aws.cloudwatch.MetricAlarm;
  readonly notRunning: aws.cloudwatch.MetricAlarm;
  readonly scheduleFailing: aws.cloudwatch.MetricAlarm;
}

/** EventBridge Scheduler's metrics (namespace AWS/Scheduler, dimension ScheduleGroup). */
export const SCHEDULER_METRICS = Object.freeze({
  namespace: "AWS/Scheduler",
  attempts: "InvocationAttemptCount",
  targetErrors: "TargetErrorCount",
});

/** CloudWatch evaluates at most one day per alarm (period × evaluation periods ≤ 86400 s). */
const MAX_ALARM_WINDOW_SECONDS = 86_400;

/**
 * The "not running" alarm's period: twice the interval (so a single late run never trips it), at most a day.
 *
 * @example
 * notRunningAlarmPeriodSeconds(15); // 1800
 */
export function notRunningAlarmPeriodSeconds(intervalMinutes: number): number {
  return Math.min(2 * intervalMinutes * 60, MAX_ALARM_WINDOW_SECONDS);
}

/** Creates the reconciler's alarms, named `<name>-reconciler-<suffix>`. */
export function createReconcilerAlarms(
  name: string,
  target: {
    readonly functionName: pulumi.Input<string>;
    readonly scheduleGroupName: pulumi.Input<string>;
    readonly intervalMinutes: number;
  },
  topicArn: pulumi.Input<string> | undefined,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): ReconcilerAlarms {
  const own = { Service: RECONCILER_SERVICE, FunctionName: target.functionName };
  const count = (suffix: string, metricName: string, statistic: "Sum" | "Maximum", description: string) =>
    createCountAlarm(
      `${name}-reconciler-${suffix}`,
      { namespace: METRICS_NAMESPACE, metricName, statistic, dimensions: own, description },
      topicArn,
      tags,
      parent,
    );
  const recovered = count(
    "recovered",
    RECONCILER_METRICS.recovered,
    "Sum",
    "Webhooks are failing: the reconciler stored events the webhook path had missed (check the receiver's alarms and logs)",
  );
  const errors = createCountAlarm(
    `${name}-reconciler-errors`,
    {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      dimensions: { FunctionName: target.functionName },
      description:
        "A reconciliation run failed (lemon.markets API unreachable, API key rejected, or AWS failing)",
    },
    topicArn,
    tags,
    parent,
  );
  const invalid = count(
    "invalid",
    RECONCILER_METRICS.invalid,
    "Sum",
    "GET /v1/events served events that are not valid envelopes; they were not stored (see reconcile_invalid_event in the reconciler's logs)",
  );
  const watermarkGap = count(
    "watermark-gap",
    RECONCILER_METRICS.watermarkGap,
    "Maximum",
    "The reconciler skipped part of its window: its watermark was older than the dedupe TTL allows, so events in the gap were not reconciled (see reconcile_watermark_gap in its logs)",
  );
  const group = { ScheduleGroup: target.scheduleGroupName };
  const actions = topicArn === undefined ? [] : [topicArn];
  const notRunning = new aws.cloudwatch.MetricAlarm(
    `${name}-reconciler-not-running`,
    {
      alarmDescription:
        "The reconciler's schedule made no invocation attempt for twice its interval (shown as INSUFFICIENT_DATA after it had data): check that its EventBridge Scheduler schedule exists and is enabled",
      namespace: SCHEDULER_METRICS.namespace,
      metricName: SCHEDULER_METRICS.attempts,
      dimensions: group,
      statistic: "Sum",
      period: notRunningAlarmPeriodSeconds(target.intervalMinutes),
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      // Not "breaching": a new alarm has no data before the first run and would fire on every fresh deploy.
      treatMissingData: "missing",
      alarmActions: actions,
      okActions: actions,
      // The signal of a stopped schedule: its metric stops arriving.
      insufficientDataActions: actions,
      tags: { ...tags },
    },
    { parent },
  );
  const scheduleFailing = createCountAlarm(
    `${name}-reconciler-schedule-failing`,
    {
      namespace: SCHEDULER_METRICS.namespace,
      metricName: SCHEDULER_METRICS.targetErrors,
      statistic: "Sum",
      dimensions: group,
      description:
        "EventBridge Scheduler could not invoke the reconciler (check the schedule role's lambda:InvokeFunction permission and that the function exists)",
    },
    topicArn,
    tags,
    parent,
  );
  return { recovered, errors, invalid, watermarkGap, notRunning, scheduleFailing };
}
