/**
 * Store first, forward from the stream: the forwarder Lambda on the events table's DynamoDB stream.
 *
 *   events table (stream NEW_IMAGE) ─ event source mapping (INSERTs of event items only, batches of 10)
 *     → forwarder Lambda → PutEvents (one call per batch) → bus; UpdateItem marks the item forwarded
 *     ─ a record given up on (age, attempts) → `<name>-forward-failures` (SQS, alarmed) → `reforward`
 *
 * It is off lemon.markets' 10 s delivery path (the receiver answered once the item was stored), so its
 * timeout is generous and its retries are the event source mapping's, not lemon.markets'.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FORWARDER_ENV_NAMES, FORWARDER_FILTER_PATTERN } from "../../contract/events-table";
import { createLambdaFunction, type LambdaFunction } from "../shared/lambda-function";
import type { ResolvedReceiverArgs } from "./args";
import { forwardEventsStatement, type PolicyStatement } from "./policy";

/**
 * The forwarder's fixed settings, each chosen for a webhook stream that is bursty and rare (a handful of
 * events a minute, sometimes a reconciler run's worth at once).
 */
export const FORWARDER_SETTINGS = Object.freeze({
  /** As the receiver: more memory is more CPU, a faster cold start, and the function runs for milliseconds. */
  memorySize: 256,
  /**
   * Generous: nothing waits on it but the stream. The worst batch, each call given up to 10 s
   * (`FORWARDER_CALL_TIMEOUT_MS`): three BatchGetItem rounds for the already-forwarded check (30 s), up to ten
   * PutEvents calls in a row when ten large bodies each fill a call (100 s), the marks in parallel (10 s):
   * 140 s. 300 s is twice that, cold start included; a timeout would count as a function error and resend
   * events already on the bus but not yet marked.
   */
  timeoutSeconds: 300,
  /** PutEvents takes at most 10 entries: one batch is exactly one PutEvents call. */
  batchSize: 10,
  /**
   * No batching window: invoke as soon as records are there (the poller reads each shard about four times a
   * second), so an event reaches the bus within about a second of its 200. A window would save invocations
   * only under sustained load, which this stream never has; at $0.20 per million invocations latency wins.
   */
  maximumBatchingWindowInSeconds: 0,
  /**
   * -1: retry until the record's age (below) runs out, so time alone ends the retries of a record. A mapping
   * has no backoff setting for stream retries, and an attempt that fails fast (EventBridge answering 5xx or
   * AccessDenied) takes milliseconds, so even the largest count (10,000) could run out well within the hour
   * and send a short outage to the failure queue instead of to the bus.
   */
  maximumRetryAttempts: -1,
  /**
   * Longest time a record is retried before its pointer goes to the failure queue: an hour of EventBridge
   * trouble rides out on its own (every record is forwarded once it returns), and a record given up on
   * reaches the queue 23 hours before the stream (24 h retention) would have dropped it. Capped at half the
   * dedupe TTL (see {@link forwarderMaximumRecordAgeSeconds}) so the item is still in the table to re-forward.
   */
  maximumRecordAgeSeconds: 3600,
  /** The iterator-age alarm: the oldest record not yet forwarded is this old (15 min, well under 1 h). */
  iteratorAgeAlarmMilliseconds: 900_000,
  /** Fourteen days, SQS's longest retention: time to notice the alarm and re-forward. */
  failureRetentionSeconds: 1_209_600,
});

/**
 * The mapping's `maximumRecordAgeInSeconds`: {@link FORWARDER_SETTINGS}`.maximumRecordAgeSeconds`, but at most
 * half the dedupe TTL, so an event given up on stays in the table (until its TTL) at least as long again as it
 * was retried: long enough for the alarm and `reforward`. Never below Lambda's minimum of 60 s.
 *
 * @example
 * forwarderMaximumRecordAgeSeconds(604_800); // 3600
 * forwarderMaximumRecordAgeSeconds(3_600); // 1800
 */
export function forwarderMaximumRecordAgeSeconds(dedupeTtlSeconds: number): number {
  return Math.max(60, Math.min(FORWARDER_SETTINGS.maximumRecordAgeSeconds, Math.floor(dedupeTtlSeconds / 2)));
}

/** The ARNs the forwarder needs, resolved. */
export interface ForwarderPolicyArns {
  readonly eventBusArn: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly failureQueueArn: string;
}

/**
 * The forwarder's statements (its own log group is added by `createLambdaFunction`). Each names one ARN,
 * except `dynamodb:ListStreams`, which has no resource type in IAM (AWS's AWSLambdaDynamoDBExecutionRole and
 * CDK's stream grants give it on `*` too); it lists stream ARNs, it reads no data.
 */
export function forwarderPolicyStatements(arns: ForwarderPolicyArns): PolicyStatement[] {
  return [
    forwardEventsStatement(arns.eventBusArn),
    {
      Sid: "CheckAndMarkForwarded",
      Effect: "Allow",
      // BatchGetItem: skip records whose event is already marked forwarded (a retry re-delivers the records
      // after a failed one); UpdateItem: the conditional `forwardedAtMs` mark once EventBridge accepted the
      // entry (a MODIFY, which the mapping's filter drops). lambda/forwarder/forward.ts.
      Action: ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
      Resource: arns.tableArn,
    },
    {
      Sid: "ReadStream",
      Effect: "Allow",
      // What the event source mapping's poller calls with the function's role.
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      Resource: arns.streamArn,
    },
    { Sid: "ListStreams", Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: "*" },
    {
      Sid: "SendForwardFailures",
      Effect: "Allow",
      // The mapping's on-failure destination is written with the function's role, not a service principal,
      // so the queue needs no policy of its own.
      Action: ["sqs:SendMessage"],
      Resource: arns.failureQueueArn,
    },
  ];
}

/** The forwarder's environment: exactly the variables of {@link FORWARDER_ENV_NAMES}. */
export function forwarderEnvironment(inputs: {
  readonly eventBusName: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
}): Record<(typeof FORWARDER_ENV_NAMES)[keyof typeof FORWARDER_ENV_NAMES], pulumi.Input<string>> {
  return {
    [FORWARDER_ENV_NAMES.eventBusName]: inputs.eventBusName,
    [FORWARDER_ENV_NAMES.table]: inputs.tableName,
  };
}

/** What the forwarder needs from the rest of the component. */
export interface ForwarderInputs {
  readonly tableArn: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
  readonly streamArn: pulumi.Input<string>;
  readonly eventBusArn: pulumi.Input<string>;
  readonly eventBusName: pulumi.Input<string>;
  readonly code: pulumi.asset.Archive;
}

/** The forwarder function (with its log group, role, policy), its stream mapping and failure queue. */
export interface Forwarder extends LambdaFunction {
  readonly failureQueue: aws.sqs.Queue;
  readonly mapping: aws.lambda.EventSourceMapping;
}

/** Creates the failure queue, the forwarder function and its event source mapping on the table's stream. */
export function createForwarder(
  name: string,
  args: ResolvedReceiverArgs,
  inputs: ForwarderInputs,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): Forwarder {
  // SSE with SQS-managed keys: encrypted at rest with no KMS key policy for the role to need. No queue
  // policy: only the forwarder's role may send (its identity policy), and nothing else is granted.
  const failureQueue = new aws.sqs.Queue(
    `${name}-forward-failures`,
    {
      messageRetentionSeconds: FORWARDER_SETTINGS.failureRetentionSeconds,
      sqsManagedSseEnabled: true,
      tags: { ...tags },
    },
    { parent },
  );
  const fn = createLambdaFunction(
    {
      name: `${name}-forwarder`,
      code: inputs.code,
      memorySize: FORWARDER_SETTINGS.memorySize,
      timeoutSeconds: FORWARDER_SETTINGS.timeoutSeconds,
      logRetentionDays: args.logRetentionDays,
      logLevel: args.logLevel,
      environment: forwarderEnvironment(inputs),
      statements: pulumi
        .all([inputs.eventBusArn, inputs.tableArn, inputs.streamArn, failureQueue.arn])
        .apply(([eventBusArn, tableArn, streamArn, failureQueueArn]) =>
          forwarderPolicyStatements({ eventBusArn, tableArn, streamArn, failureQueueArn }),
        ),
      tags,
    },
    parent,
  );
  const mapping = new aws.lambda.EventSourceMapping(
    `${name}-forwarder-stream`,
    {
      eventSourceArn: inputs.streamArn,
      functionName: fn.function.arn,
      // TRIM_HORIZON, not LATEST: the table, its stream and this mapping are created in one deployment, and
      // the receiver may store events before the mapping polls for the first time (it answers as soon as the
      // registration exists, which does not wait for this mapping). LATEST would start after them and never
      // forward them; TRIM_HORIZON starts at the stream's oldest record, which for a stream created with the
      // table is its very first. (A *replaced* mapping re-reads up to 24 h of records from there; the
      // forwarder skips those whose event is already marked forwarded.)
      startingPosition: "TRIM_HORIZON",
      batchSize: FORWARDER_SETTINGS.batchSize,
      maximumBatchingWindowInSeconds: FORWARDER_SETTINGS.maximumBatchingWindowInSeconds,
      // Only INSERTs of event items: the forwarded mark (MODIFY), TTL expiries (REMOVE) and the reconciler's
      // watermark item never invoke the function.
      filterCriteria: { filters: [{ pattern: JSON.stringify(FORWARDER_FILTER_PATTERN) }] },
      // The forwarder names the records PutEvents did not accept; only those (and what follows them on their
      // shard) are retried, never a whole batch that was mostly forwarded.
      functionResponseTypes: ["ReportBatchItemFailures"],
      // A batch whose invocation failed outright is split in halves and retried, isolating a bad record.
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: FORWARDER_SETTINGS.maximumRetryAttempts,
      maximumRecordAgeInSeconds: forwarderMaximumRecordAgeSeconds(args.dedupeTtlSeconds),
      destinationConfig: { onFailure: { destinationArn: failureQueue.arn } },
      tags: { ...tags },
    },
    // The first poll runs with the function's role: reading the stream and the on-failure queue must already
    // be allowed, or the mapping starts in a failed state.
    { parent, dependsOn: [fn.policy] },
  );
  return { ...fn, failureQueue, mapping };
}
