/**
 * Alarm building blocks every component uses: where alarms notify (an SNS topic made for an email address, or
 * a topic given by ARN) and the one alarm shape of the package, "the metric reached its threshold in a
 * 5-minute period".
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { METRIC_PERIOD_SECONDS } from "../../contract/metrics";

/** Where alarms notify: a topic ARN, or nothing (alarms still show in the console). */
export interface AlarmDestination {
  /** Topic created for `alarmEmail`; undefined when none was created here. */
  readonly topic: aws.sns.Topic | undefined;
  /** Email subscription of `topic`. */
  readonly emailSubscription: aws.sns.TopicSubscription | undefined;
  /** The ARN alarms notify, or undefined for no actions. */
  readonly topicArn: pulumi.Input<string> | undefined;
}

/** One "anything at all in the last five minutes" alarm on a metric. */
export interface CountAlarmSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: "Sum" | "Maximum";
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly description: string;
  /**
   * How many of the last `evaluationPeriods` 5-minute periods must reach 1 (default 1 of 1): more for
   * metrics with expected short blips, such as the designed 503s while a registration is replaced.
   */
  readonly periodsToAlarm?: { readonly datapoints: number; readonly evaluationPeriods: number };
  /** The value a period must reach (≥) to count. Default 1: any occurrence. */
  readonly threshold?: number;
}

/** Creates the SNS topic and email subscription for `alarmEmail`, or passes `alarmTopicArn` through. */
export function createAlarmDestination(
  name: string,
  alarmEmail: string | undefined,
  alarmTopicArn: pulumi.Input<string> | undefined,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): AlarmDestination {
  if (alarmEmail === undefined)
    return { topic: undefined, emailSubscription: undefined, topicArn: alarmTopicArn };
  const topic = new aws.sns.Topic(`${name}-alarms`, { tags: { ...tags } }, { parent });
  const emailSubscription = new aws.sns.TopicSubscription(
    `${name}-alarms-email`,
    // The address must confirm the subscription (AWS sends a mail) before notifications arrive.
    { topic: topic.arn, protocol: "email", endpoint: alarmEmail },
    { parent },
  );
  return { topic, emailSubscription, topicArn: topic.arn };
}

/** Creates an alarm that fires when the metric is at least 1 in a 5-minute period. */
export function createCountAlarm(
  resourceName: string,
  spec: CountAlarmSpec,
  topicArn: pulumi.Input<string> | undefined,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  const actions = topicArn === undefined ? [] : [topicArn];
  return new aws.cloudwatch.MetricAlarm(
    resourceName,
    {
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: spec.statistic,
      period: METRIC_PERIOD_SECONDS,
      evaluationPeriods: spec.periodsToAlarm?.evaluationPeriods ?? 1,
      ...(spec.periodsToAlarm === undefined ? {} : { datapointsToAlarm: spec.periodsToAlarm.datapoints }),
      threshold: spec.threshold ?? 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      // No datapoints means no traffic, not a failure.
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      tags: { ...tags },
    },
    { parent },
  );
}
