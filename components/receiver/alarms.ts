/**
 * Alarms on the ways deliveries get lost or stuck: the API answering 5xx (lemon.markets retries, but a
 * persistent failure means events pile up there), the receiver failing or being throttled, and events landing
 * in a subscription's dead-letter queue. All notify one SNS topic when one is configured.
 */
import type * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, METRICS_SERVICE } from "../../contract/metrics";
import type { CountAlarmSpec } from "../shared/alarms";
import { FORWARDER_SETTINGS } from "./forwarder";
import { STAGE_NAME } from "./ingress";

/** The receiver-level alarm specs: API 5xx, Lambda errors, Lambda throttles. */
export function receiverAlarmSpecs(
  apiId: pulumi.Input<string>,
  functionName: pulumi.Input<string>,
): { readonly suffix: string; readonly spec: CountAlarmSpec }[] {
  return [
    {
      suffix: "api-5xx",
      spec: {
        namespace: "AWS/ApiGateway",
        metricName: "5xx",
        statistic: "Sum",
        dimensions: { ApiId: apiId, Stage: STAGE_NAME },
        description:
          "The webhook endpoint answered 5xx in 2 of the last 3 five-minute periods: lemon.markets will retry, but deliveries are failing",
        // Not the first 5xx: the receiver answers 503 by design for a moment while a registration is replaced
        // (the new secret is written after the new webhook exists); a real failure persists.
        periodsToAlarm: { datapoints: 2, evaluationPeriods: 3 },
      },
    },
    {
      suffix: "signature-rejects",
      spec: {
        namespace: METRICS_NAMESPACE,
        metricName: "Rejected",
        statistic: "Sum",
        // The receiver's own numbers only: the metric carries its function name (lambda/core/observability.ts).
        dimensions: { Service: METRICS_SERVICE, FunctionName: functionName, Reason: "signature" },
        description:
          "Deliveries failed signature verification in 3 consecutive five-minute periods: the signature secret or scheme is wrong (lemon.markets gets 401 and will give up) or someone is probing the endpoint; a wrong scheme is named by a signature_scheme_probe line in the receiver's log, see docs/first-delivery.md",
        // Sustained, not one stray forged request from the internet.
        periodsToAlarm: { datapoints: 3, evaluationPeriods: 3 },
      },
    },
    {
      suffix: "receiver-errors",
      spec: {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        statistic: "Sum",
        dimensions: { FunctionName: functionName },
        description: "The webhook receiver Lambda failed",
      },
    },
    {
      suffix: "receiver-throttles",
      spec: {
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        statistic: "Sum",
        dimensions: { FunctionName: functionName },
        description:
          "The webhook receiver Lambda was throttled (raise reservedConcurrency or the stage throttling)",
      },
    },
  ];
}

/**
 * The forwarder's alarms: stored events given up on (the failure queue has a message), the stream falling
 * behind (iterator age), the function failing outright. A retried PutEvents that then succeeds is no alarm.
 */
export function forwarderAlarmSpecs(target: {
  readonly functionName: pulumi.Input<string>;
  readonly failureQueueName: pulumi.Input<string>;
  /** The mapping's `maximumRecordAgeInSeconds`: when a record goes to the failure queue. */
  readonly maximumRecordAgeSeconds: number;
  /** The stack the `reforward` command in the alarm's description names. */
  readonly stack: string;
}): { readonly suffix: string; readonly spec: CountAlarmSpec }[] {
  const ageMinutes = FORWARDER_SETTINGS.iteratorAgeAlarmMilliseconds / 60_000;
  return [
    {
      suffix: "forward-failures-depth",
      spec: {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: target.failureQueueName },
        description:
          `Events were stored but not forwarded: the forwarder gave up on them. They are still in the table: run ` +
          `\`lemon-webhooks reforward --stack ${target.stack} --from <a minute before the oldest message's ` +
          `DDBStreamBatchInfo.approximateArrivalOfFirstRecord>\`, then purge the queue`,
      },
    },
    {
      suffix: "forwarder-iterator-age",
      spec: {
        namespace: "AWS/Lambda",
        metricName: "IteratorAge",
        statistic: "Maximum",
        dimensions: { FunctionName: target.functionName },
        threshold: FORWARDER_SETTINGS.iteratorAgeAlarmMilliseconds,
        description:
          `The forwarder is ${ageMinutes} minutes or more behind the table's stream (EventBridge failing, the ` +
          `forwarder failing or throttled): stored events are waiting to reach the bus; after ` +
          `${target.maximumRecordAgeSeconds / 60} minutes they go to the failure queue`,
      },
    },
    {
      suffix: "forwarder-errors",
      spec: {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        statistic: "Sum",
        dimensions: { FunctionName: target.functionName },
        description:
          "The forwarder Lambda failed (its batch is split and retried; see its logs): stored events are not reaching the bus",
      },
    },
  ];
}
