/**
 * Consumers' subscriptions: an EventBridge rule on the receiver's bus matching lemon.markets events of the
 * given types, a target with a retry policy, and a dead-letter queue (with its alarm) for what still fails,
 * so a consumer that is down loses nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createCountAlarm } from "../shared/alarms";
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
 * Where a subscription delivers: a Lambda function (the invoke permission is added), an SQS queue (see
 * {@link QueuePolicyMode}), or any target by ARN.
 */
export type SubscriptionTarget = aws.lambda.Function | aws.sqs.Queue | ArnTarget;

/**
 * Who writes the policy of an SQS queue target. SQS keeps ONE policy per queue, and an `aws.sqs.QueuePolicy`
 * replaces all of it.
 * - `"managed"` (default): the package owns the queue's whole policy: one `aws.sqs.QueuePolicy` per queue,
 *   shared by every subscription to that queue (of every receiver in the program), allowing exactly their
 *   rules. Anything else in the queue's policy is overwritten, so use it only for a queue nothing else grants.
 * - `"external"`: no policy is written; add {@link Subscription.requiredQueuePolicyStatement} to the policy
 *   you manage (the queue's `policy`, your own `aws.sqs.QueuePolicy`, or another stack's).
 */
export type QueuePolicyMode = "managed" | "external";

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
  /** Only for an `aws.sqs.Queue` target: who writes the queue's policy. Default `"managed"`. */
  readonly queuePolicy?: QueuePolicyMode;
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
  /**
   * Set for an SQS queue target with `queuePolicy: "managed"`: the queue's one policy, the same object for
   * every subscription to that queue.
   */
  readonly targetQueuePolicy: aws.sqs.QueuePolicy | undefined;
  /**
   * Set for an SQS queue target with `queuePolicy: "external"`: the IAM policy statement (an object) that the
   * queue's policy must contain before events can arrive; until then EventBridge sends them to the DLQ.
   */
  readonly requiredQueuePolicyStatement: pulumi.Output<QueuePolicyStatement> | undefined;
}

/** One statement of an SQS queue policy. */
export interface QueuePolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: { readonly Service: "events.amazonaws.com" };
  readonly Action: "sqs:SendMessage";
  readonly Resource: string;
  readonly Condition: { readonly ArnEquals: { readonly "aws:SourceArn": string | readonly string[] } };
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

/**
 * The statement allowing EventBridge to send to `queueArn` from exactly `ruleArns` (several values of one
 * condition key are ORed). One ARN stays a plain string, the form policies had before several rules could share
 * a queue, so an existing single-subscription policy shows no diff.
 */
export function ruleToQueueStatement(
  queueArn: string,
  ruleArns: string | readonly string[],
  sid = "AllowEventBridgeRule",
): QueuePolicyStatement {
  const arns = typeof ruleArns === "string" ? [ruleArns] : ruleArns;
  if (arns.length === 0)
    throw new Error(`no rule may send to ${queueArn}: a queue policy needs at least one rule`);
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": arns.length === 1 ? (arns[0] as string) : [...arns] } },
  };
}

/** The whole SQS policy allowing exactly `ruleArns` to send to one queue. */
export function ruleToQueuePolicy(queueArn: string, ruleArns: string | readonly string[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [ruleToQueueStatement(queueArn, ruleArns)] });
}

/** A statement id from a child-name prefix: IAM allows only letters and digits (`lemon-orders` → `AllowLemonOrdersRule`). */
function statementId(prefix: string): string {
  const words = prefix.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
  return `Allow${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("")}Rule`;
}

/**
 * What is known about one queue target across the program: SQS keeps one policy per queue, so every
 * subscription to it (of any receiver) must agree on the mode and share one policy.
 */
interface QueueGrant {
  readonly mode: QueuePolicyMode;
  /** `<receiver>-<subscription>` of the first subscription, which names and parents the shared policy. */
  readonly owner: string;
  readonly ruleArns: pulumi.Output<string>[];
  /** Set once the policy's rule list is fixed; a later subscription could no longer be added to it. */
  finalized: boolean;
  policy: aws.sqs.QueuePolicy | undefined;
}

/** Program-wide, keyed by the queue object: two receivers subscribing one queue share its grant. */
const queueGrants = new WeakMap<aws.sqs.Queue, QueueGrant>();

/**
 * The queue's one managed policy, created by its first subscription. Its document is an Output over the rule
 * list, which is fixed at the end of the current synchronous part of the program (`setImmediate`): the
 * resource is registered right away (so targets can depend on it), but its inputs, and therefore the engine's
 * RegisterResource call, wait until every subscription made alongside has added its rule. Later
 * subscriptions are refused by {@link validateSubscription} rather than silently left out.
 */
function managedQueuePolicy(
  queue: aws.sqs.Queue,
  grant: QueueGrant,
  parent: pulumi.Resource,
): aws.sqs.QueuePolicy {
  let fix: (arns: pulumi.Output<string>[]) => void = () => undefined;
  const ruleArns = new Promise<pulumi.Output<string>[]>((resolve) => {
    fix = resolve;
  });
  setImmediate(() => {
    grant.finalized = true;
    fix([...grant.ruleArns]);
  });
  return new aws.sqs.QueuePolicy(
    `${grant.owner}-target-policy`,
    {
      queueUrl: queue.url,
      policy: pulumi
        .all([queue.arn, pulumi.output(ruleArns).apply((arns) => pulumi.all(arns))])
        .apply(([queueArn, arns]) => ruleToQueuePolicy(queueArn, arns)),
    },
    // Retained: a policy's delete clears the queue's whole policy. When the first subscription of a queue is
    // removed, the policy moves to a new name; Pulumi creates the new one first, and deleting the old one
    // afterwards would leave the queue with no policy at all.
    { parent, retainOnDelete: true },
  );
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
  validateQueuePolicy(args);
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

/** Checks `queuePolicy` and that a queue target can still get this subscription's rule into its one policy. */
function validateQueuePolicy(args: SubscriptionArgs): void {
  const mode: unknown = args.queuePolicy;
  if (mode !== undefined && mode !== "managed" && mode !== "external") {
    throw new ReceiverArgsError(
      "queuePolicy",
      `must be "managed" or "external" (got ${JSON.stringify(mode)})`,
    );
  }
  if (!aws.sqs.Queue.isInstance(args.target)) {
    if (mode !== undefined) {
      throw new ReceiverArgsError(
        "queuePolicy",
        "applies only to an aws.sqs.Queue target; the policy of an { arn } target is always yours to grant",
      );
    }
    return;
  }
  const grant = queueGrants.get(args.target);
  if (grant === undefined) return;
  if (grant.mode !== (mode ?? "managed")) {
    throw new ReceiverArgsError(
      "queuePolicy",
      `this queue is already subscribed by "${grant.owner}" with queuePolicy "${grant.mode}"; one queue has one policy, so use the same queuePolicy for every subscription to it`,
    );
  }
  if (grant.mode === "managed" && grant.finalized) {
    throw new ReceiverArgsError(
      "target",
      `the policy of this queue (${grant.owner}-target-policy) was already written for "${grant.owner}"; subscribe every subscription to one queue in the same synchronous part of the program (no await in between), or pass queuePolicy: "external" and manage the policy yourself`,
    );
  }
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
  let requiredQueuePolicyStatement: pulumi.Output<QueuePolicyStatement> | undefined;
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
    const mode = args.queuePolicy ?? "managed";
    let grant = queueGrants.get(target);
    if (grant === undefined) {
      grant = { mode, owner: prefix, ruleArns: [], finalized: false, policy: undefined };
      queueGrants.set(target, grant);
      if (mode === "managed") grant.policy = managedQueuePolicy(target, grant, parent);
    }
    grant.ruleArns.push(rule.arn);
    targetQueuePolicy = grant.policy;
    if (mode === "external") {
      requiredQueuePolicyStatement = pulumi
        .all([target.arn, rule.arn])
        .apply(([queueArn, ruleArn]) => ruleToQueueStatement(queueArn, ruleArn, statementId(prefix)));
    }
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
    requiredQueuePolicyStatement,
  };
}
