/**
 * Consumers' subscriptions: an EventBridge rule on the receiver's bus matching lemon.markets events of the
 * given types, a target with a retry policy, and a dead-letter queue (with its alarm) for what still fails,
 * so a consumer that is down loses nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createCountAlarm } from "./alarms";
import { eventPattern } from "./fanout";
import { ReceiverArgsError, validateEventTypes, validateIntegerInRange, validateName } from "./validate";

/** Any EventBridge target by ARN, with the role EventBridge assumes for it when the target type needs one. */
export interface ArnTarget {
  /** Target ARN, e.g. a Step Functions state machine or another bus. Its resource policy is yours to grant. */
  readonly arn: pulumi.Input<string>;
  /** Role EventBridge assumes to call the target (required by Step Functions, Kinesis, other buses). */
  readonly roleArn?: pulumi.Input<string>;
}

/**
 * Where a subscription delivers: a Lambda function (the invoke permission is added), an SQS queue (its queue
 * policy is set to allow this rule: SQS keeps one policy per queue, so pass `{ arn }` to manage it yourself),
 * or any target by ARN.
 */
export type SubscriptionTarget = aws.lambda.Function | aws.sqs.Queue | ArnTarget;

/** Arguments of {@link LemonWebhookReceiver.subscribe}. */
export interface SubscriptionArgs {
  /** Event types delivered to the target, e.g. `["order.executed"]`. Non-empty, unique. */
  readonly eventTypes: readonly string[];
  /** Where matching events go. */
  readonly target: SubscriptionTarget;
  /** Delivery attempts after the first, 0–185. Default 185 (EventBridge's maximum). */
  readonly maxRetryAttempts?: number;
  /** How long EventBridge keeps retrying, 60–86400 seconds. Default 86400 (24 h). */
  readonly maxEventAgeSeconds?: number;
  /** Message group id, required when the target is a FIFO queue. Default none. */
  readonly messageGroupId?: pulumi.Input<string>;
}

/** The resources of one subscription. */
export interface Subscription {
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly deadLetterQueuePolicy: aws.sqs.QueuePolicy;
  readonly deadLetterAlarm: aws.cloudwatch.MetricAlarm;
  /** Set for a Lambda target. */
  readonly invokePermission: aws.lambda.Permission | undefined;
  /** Set for an SQS queue target. */
  readonly targetQueuePolicy: aws.sqs.QueuePolicy | undefined;
}

/** What a subscription needs from its receiver. */
export interface SubscriptionContext {
  readonly receiverName: string;
  readonly eventBusName: pulumi.Input<string>;
  readonly alarmTopicArn: pulumi.Input<string> | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** EventBridge's own limits for a target's retry policy. */
export const RETRY_LIMITS = Object.freeze({
  maxRetryAttempts: { min: 0, max: 185, default: 185 },
  maxEventAgeSeconds: { min: 60, max: 86_400, default: 86_400 },
});

/** Longest rule name EventBridge accepts, minus the `-rule` suffix and Pulumi's 8-character random suffix. */
const MAX_RULE_PREFIX = 64 - "-rule".length - 8;
/** Fourteen days, SQS's longest retention: time to notice the alarm and redrive. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/** The SQS policy allowing exactly one rule to send to one queue. */
export function ruleToQueuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowEventBridgeRule",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  });
}

/** Validates `subscribe`'s arguments; returns the event types outside the published list. */
export function validateSubscription(
  receiverName: string,
  name: string,
  args: SubscriptionArgs,
  taken: ReadonlySet<string>,
): string[] {
  validateName(name, "subscribe(name)", MAX_RULE_PREFIX - receiverName.length - 1);
  if (taken.has(name)) {
    throw new ReceiverArgsError(
      "subscribe(name)",
      `"${name}" is already subscribed on this receiver; pick another name`,
    );
  }
  if (args === undefined || args === null || typeof args !== "object") {
    throw new ReceiverArgsError("subscribe(args)", `must be { eventTypes: ["order.executed"], target }`);
  }
  const unpublished = validateEventTypes(args.eventTypes, "eventTypes");
  const target: unknown = args.target;
  const isResource = aws.lambda.Function.isInstance(target) || aws.sqs.Queue.isInstance(target);
  if (!isResource && (typeof target !== "object" || target === null || !("arn" in target))) {
    throw new ReceiverArgsError(
      "target",
      "must be an aws.lambda.Function, an aws.sqs.Queue or { arn, roleArn? }",
    );
  }
  if (!isResource && typeof target === "object" && target !== null && "arn" in target) {
    if (typeof target.arn === "string" && !target.arn.startsWith("arn:")) {
      throw new ReceiverArgsError(
        "target.arn",
        `must be an ARN, e.g. "arn:aws:states:…" (got ${JSON.stringify(target.arn)})`,
      );
    }
  }
  const retry = RETRY_LIMITS;
  if (args.maxRetryAttempts !== undefined) {
    validateIntegerInRange(
      args.maxRetryAttempts,
      "maxRetryAttempts",
      retry.maxRetryAttempts.min,
      retry.maxRetryAttempts.max,
    );
  }
  if (args.maxEventAgeSeconds !== undefined) {
    validateIntegerInRange(
      args.maxEventAgeSeconds,
      "maxEventAgeSeconds",
      retry.maxEventAgeSeconds.min,
      retry.maxEventAgeSeconds.max,
    );
  }
  return unpublished;
}

/** Creates rule, DLQ (+ policy and alarm), target, and the target's permission. Call after validating. */
export function createSubscription(
  name: string,
  args: SubscriptionArgs,
  context: SubscriptionContext,
  parent: pulumi.Resource,
): Subscription {
  const prefix = `${context.receiverName}-${name}`;
  const tags = { ...context.tags };
  const rule = new aws.cloudwatch.EventRule(
    `${prefix}-rule`,
    {
      eventBusName: context.eventBusName,
      eventPattern: eventPattern(args.eventTypes),
      description: `lemon.markets ${args.eventTypes.join(", ")} → subscription ${name}`.slice(0, 512),
      tags,
    },
    { parent },
  );
  const deadLetterQueue = new aws.sqs.Queue(
    `${prefix}-dlq`,
    { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true, tags },
    { parent },
  );
  const deadLetterQueuePolicy = new aws.sqs.QueuePolicy(
    `${prefix}-dlq-policy`,
    {
      queueUrl: deadLetterQueue.url,
      policy: pulumi
        .all([deadLetterQueue.arn, rule.arn])
        .apply(([queueArn, ruleArn]) => ruleToQueuePolicy(queueArn, ruleArn)),
    },
    { parent },
  );

  const { target } = args;
  let invokePermission: aws.lambda.Permission | undefined;
  let targetQueuePolicy: aws.sqs.QueuePolicy | undefined;
  let roleArn: pulumi.Input<string> | undefined;
  if (aws.lambda.Function.isInstance(target)) {
    invokePermission = new aws.lambda.Permission(
      `${prefix}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: target.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent },
    );
  } else if (aws.sqs.Queue.isInstance(target)) {
    targetQueuePolicy = new aws.sqs.QueuePolicy(
      `${prefix}-target-policy`,
      {
        queueUrl: target.url,
        policy: pulumi
          .all([target.arn, rule.arn])
          .apply(([queueArn, ruleArn]) => ruleToQueuePolicy(queueArn, ruleArn)),
      },
      { parent },
    );
  } else {
    roleArn = target.roleArn;
  }

  const eventTarget = new aws.cloudwatch.EventTarget(
    `${prefix}-target`,
    {
      rule: rule.name,
      eventBusName: context.eventBusName,
      arn: target.arn,
      roleArn,
      retryPolicy: {
        maximumRetryAttempts: args.maxRetryAttempts ?? RETRY_LIMITS.maxRetryAttempts.default,
        maximumEventAgeInSeconds: args.maxEventAgeSeconds ?? RETRY_LIMITS.maxEventAgeSeconds.default,
      },
      deadLetterConfig: { arn: deadLetterQueue.arn },
      sqsTarget: args.messageGroupId === undefined ? undefined : { messageGroupId: args.messageGroupId },
    },
    // Deliveries start with the target: the permission and queue policies must already allow them.
    {
      parent,
      dependsOn: [
        deadLetterQueuePolicy,
        ...(invokePermission ? [invokePermission] : []),
        ...(targetQueuePolicy ? [targetQueuePolicy] : []),
      ],
    },
  );
  const deadLetterAlarm = createCountAlarm(
    `${prefix}-dlq-depth`,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      statistic: "Maximum",
      dimensions: { QueueName: deadLetterQueue.name },
      description: `Events for subscription ${name} could not be delivered and wait in its dead-letter queue`,
    },
    context.alarmTopicArn,
    tags,
    parent,
  );
  return {
    rule,
    target: eventTarget,
    deadLetterQueue,
    deadLetterQueuePolicy,
    deadLetterAlarm,
    invokePermission,
    targetQueuePolicy,
  };
}
