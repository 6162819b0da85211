/**
 * The CloudWatch metrics the three Lambdas emit as Embedded Metric Format lines: namespace, `Service` values,
 * dimension names and metric names. The one home of these names: the Lambdas write them, and the components'
 * alarms and dashboard and the `status` command read them. Dependency-free (it is bundled).
 */

/**
 * The period, in seconds, at which the package reads its metrics: every alarm evaluates 5-minute periods, and the
 * dashboard and `status` read them the same way, so "last" and "in ALARM" mean the same 5 minutes.
 */
export const METRIC_PERIOD_SECONDS = 300;

/** The AWS services the Lambdas depend on (the `Dependency` dimension of the receiver's `Failed`). */
export const DEPENDENCIES = Object.freeze(["secrets-manager", "dynamodb", "eventbridge"] as const);

/** Names of the counters the receiver emits (CloudWatch EMF, namespace `LemonWebhooks`). */
export type MetricName = "Received" | "Rejected" | "Duplicates" | "Stored" | "Failed";

/** Every reason a request is rejected for (the dashboard draws one line per reason). */
export const REJECT_REASONS = Object.freeze(["method", "too_large", "signature", "envelope"] as const);

/** Why a request was rejected; the `Reason` dimension of the `Rejected` metric. */
export type RejectReason = (typeof REJECT_REASONS)[number];

/** CloudWatch namespace of the receiver's metrics. */
export const METRICS_NAMESPACE = "LemonWebhooks";
/** Value of the `Service` dimension every metric carries. */
export const METRICS_SERVICE = "lemon-webhooks-receiver";

/**
 * Dimension names of the package's EMF metrics (receiver, forwarder, reconciler). Every metric carries
 * `Service` and `FunctionName` (the Lambda's name), so two receivers in one account never mix their numbers.
 */
export const METRIC_DIMENSIONS = Object.freeze({
  service: "Service",
  functionName: "FunctionName",
  /** `Rejected` only: the {@link RejectReason}. */
  reason: "Reason",
  /** `SchemeProbeMatched` only: the preset a rejected delivery verified under. */
  preset: "Preset",
  /** `Failed` only, when a dependency was unavailable: the `Dependency` (`secrets-manager`, `dynamodb`). */
  dependency: "Dependency",
} as const);

/** The dependencies a receiver's `Failed` can name: its secret (Secrets Manager) and its store (DynamoDB). */
export const RECEIVER_DEPENDENCIES = Object.freeze([
  "secrets-manager",
  "dynamodb",
] as const satisfies readonly (typeof DEPENDENCIES)[number][]);

/** The `FunctionName` dimension outside Lambda (sandbox, tests), where `AWS_LAMBDA_FUNCTION_NAME` is unset. */
export const LOCAL_FUNCTION_NAME = "local";

/** Metric names the receiver emits (import these; do not spell them out). */
export const RECEIVER_METRICS = Object.freeze({
  received: "Received",
  stored: "Stored",
  duplicates: "Duplicates",
  rejected: "Rejected",
  /** A request that could not be answered 200 for a reason on our side (a dependency, config, a bug). */
  failed: "Failed",
  schemeProbeMatched: "SchemeProbeMatched",
} as const satisfies Record<string, MetricName | "SchemeProbeMatched">);

/** Value of the forwarder's `Service` dimension. */
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

/** Value of the reconciler's `Service` dimension. */
export const RECONCILER_SERVICE = "lemon-webhooks-reconciler";

/** Metric names the reconciler emits (counts per run, and the lag in seconds). */
export const RECONCILER_METRICS = {
  recovered: "Recovered",
  alreadyStored: "AlreadyStored",
  invalid: "Invalid",
  scanned: "Scanned",
  failedRuns: "FailedRuns",
  lag: "LagSeconds",
  watermarkGap: "WatermarkGapSeconds",
  watermarkAge: "WatermarkAgeSeconds",
} as const;
