/**
 * LemonEventReconciler: a scheduled Lambda that reads `GET /v1/events` and stores every event the webhook
 * path missed (receiver outage, misconfigured secret, deleted webhook, exhausted retries) in the receiver's
 * events table, with the receiver's own conditional PutItem; the table's stream and the receiver's forwarder
 * take it to the bus, exactly as a delivered event.
 *
 *   EventBridge Scheduler (rate(<interval> minutes)) → reconciler Lambda
 *     → Secrets Manager (API key, its own secret) → GET /v1/events since watermark − overlap
 *     → the receiver's events table (conditional PutItem) → watermark item
 *     (→ stream → forwarder → bus)
 *
 * Alarms (`./alarms.ts`): events recovered ("webhooks are failing"), failed runs, invalid events, a skipped
 * window (watermark gap) and the reconciler not being invoked at all.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV_NAMES, RECONCILER_ENV_NAMES } from "../../contract/env-names";
import { defaultReconcilerBundleDir, enforceBundle, reconcilerBundleProblem } from "../shared/bundles";
import { createLambdaFunction } from "../shared/lambda-function";
import { createReconcilerAlarms, type ReconcilerAlarms } from "./alarms";
import {
  type LemonEventReconcilerArgs,
  type ResolvedReconcilerArgs,
  resolveReconcilerApiKey,
  validateReconcilerArgs,
} from "./args";
import {
  accountOfArn,
  reconcilerPolicyStatements,
  schedulerAssumeRolePolicy,
  schedulerPolicyDocument,
} from "./policy";

/** Pulumi type token of the component. */
export const RECONCILER_TYPE = "lemon-webhooks:index:Reconciler";

/** The reconciler Lambda's environment: names, ARNs, URLs and numbers only (never the API key). */
export function reconcilerEnvironment(
  args: ResolvedReconcilerArgs,
  inputs: {
    readonly apiKeySecretArn: pulumi.Input<string>;
    readonly tableName: pulumi.Input<string>;
    readonly apiBaseUrl?: pulumi.Input<string>;
    readonly privacyPrincipal?: pulumi.Input<string>;
    readonly privacyJustification?: pulumi.Input<string>;
  },
): Record<string, pulumi.Input<string>> {
  const optional = (name: string, value: pulumi.Input<string> | undefined) =>
    value === undefined ? {} : { [name]: value };
  return {
    [RECONCILER_ENV_NAMES.apiKeySecretArn]: inputs.apiKeySecretArn,
    [ENV_NAMES.dedupeTable]: inputs.tableName,
    [RECONCILER_ENV_NAMES.eventTypes]: args.events.join(","),
    [RECONCILER_ENV_NAMES.overlapSeconds]: String(args.overlapSeconds),
    [RECONCILER_ENV_NAMES.initialLookbackSeconds]: String(args.initialLookbackSeconds),
    [RECONCILER_ENV_NAMES.settleSeconds]: String(args.settleSeconds),
    [ENV_NAMES.dedupeTtlSeconds]: String(args.dedupeTtlSeconds),
    ...optional(RECONCILER_ENV_NAMES.apiBaseUrl, inputs.apiBaseUrl),
    ...optional(RECONCILER_ENV_NAMES.privacyPrincipal, inputs.privacyPrincipal),
    ...optional(RECONCILER_ENV_NAMES.privacyJustification, inputs.privacyJustification),
  };
}

/**
 * Reconciles missed lemon.markets events into the receiver's events table on a schedule (its stream forwards
 * them to the bus).
 *
 * @example
 * const reconciler = new LemonEventReconciler("lemon", {
 *   events: ["order.executed"],
 *   dedupeTableName: receiver.dedupeTableName, dedupeTableArn: receiver.dedupeTableArn,
 * });
 */
export class LemonEventReconciler extends pulumi.ComponentResource {
  /** Name of the reconciler Lambda (invoke it by hand to reconcile now). */
  public readonly functionName: pulumi.Output<string>;
  /** Name of the EventBridge Scheduler schedule. */
  public readonly scheduleName: pulumi.Output<string>;
  /** ARN of the Secrets Manager secret holding the API key (granted to the reconciler's role alone). */
  public readonly apiKeySecretArn: pulumi.Output<string>;
  /** Name of the "events were recovered" alarm. */
  public readonly recoveredAlarmName: pulumi.Output<string>;
  /** Name of the "the reconciler is not being invoked" alarm. */
  public readonly notRunningAlarmName: pulumi.Output<string>;
  /** Every alarm of the reconciler (the receiver's dashboard shows their states). */
  public readonly alarms: ReconcilerAlarms;

  constructor(name: string, args: LemonEventReconcilerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const resolved = validateReconcilerArgs(args);
    // A plain-string ARN is checked now, before anything is registered; an Output is checked when known.
    if (typeof args.dedupeTableArn === "string") accountOfArn(args.dedupeTableArn);
    const apiKey = resolveReconcilerApiKey(args.apiKey);
    const bundleDir = args.lambdaBundleDir ?? defaultReconcilerBundleDir();
    // Missing: thrown in preview too; stale: thrown by `up`, a warning in preview (enforceBundle).
    const staleWarning = enforceBundle(
      reconcilerBundleProblem(args.lambdaBundleDir),
      pulumi.runtime.isDryRun(),
    );
    super(RECONCILER_TYPE, name, {}, opts);
    if (staleWarning !== undefined) pulumi.log.warn(staleWarning, this);
    if (apiKey.warning !== undefined) pulumi.log.warn(apiKey.warning, this);
    const tags = { ...args.tags };
    const parent = { parent: this };

    const secret = new aws.secretsmanager.Secret(
      `${name}-api-key`,
      {
        description: `lemon.markets API key of reconciler ${name} (GET /v1/events)`,
        recoveryWindowInDays: resolved.secretRecoveryWindowInDays,
        tags,
      },
      parent,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-api-key-value`,
      { secretId: secret.id, secretString: apiKey.value },
      // A preview without a key (warned above) keeps the stored value: `secretString` replaces the version, so
      // an unknown value would plan a replacement on every keyless preview. `up` never gets here without a key.
      apiKey.warning === undefined ? parent : { ...parent, ignoreChanges: ["secretString"] },
    );

    const { function: fn } = createLambdaFunction(
      {
        name: `${name}-reconciler`,
        code: new pulumi.asset.FileArchive(bundleDir),
        memorySize: resolved.memorySize,
        timeoutSeconds: resolved.timeoutSeconds,
        logRetentionDays: resolved.logRetentionDays,
        logLevel: resolved.logLevel,
        environment: reconcilerEnvironment(resolved, {
          apiKeySecretArn: secret.arn,
          tableName: args.dedupeTableName,
          apiBaseUrl: args.apiBaseUrl,
          privacyPrincipal: args.privacyPrincipal,
          privacyJustification: args.privacyJustification,
        }),
        statements: pulumi
          .all([secret.arn, args.dedupeTableArn])
          .apply(([apiKeySecretArn, tableArn]) => reconcilerPolicyStatements({ apiKeySecretArn, tableArn })),
        tags,
      },
      this,
    );

    // The schedule invokes asynchronously; Lambda would retry a failed run twice on its own. The next scheduled
    // run re-reads the same window anyway, so retries would only repeat the failure (and the alarm).
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-reconciler-invoke-config`,
      { functionName: fn.name, maximumRetryAttempts: 0 },
      parent,
    );
    const schedulerRole = new aws.iam.Role(
      `${name}-schedule-role`,
      {
        assumeRolePolicy: pulumi
          .output(args.dedupeTableArn)
          .apply((arn) => schedulerAssumeRolePolicy(accountOfArn(arn))),
        tags,
      },
      parent,
    );
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-schedule-policy`,
      { role: schedulerRole.id, policy: fn.arn.apply((arn) => JSON.stringify(schedulerPolicyDocument(arn))) },
      parent,
    );
    // A group of its own: the not-running alarm counts this group's invocation attempts (a dimension that
    // outlives function replacements), and no other schedule's attempts can hide a stopped one.
    const scheduleGroup = new aws.scheduler.ScheduleGroup(`${name}-schedules`, { tags }, parent);
    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        groupName: scheduleGroup.name,
        description: `Reconcile missed lemon.markets events every ${resolved.intervalMinutes} minute(s)`,
        scheduleExpression: `rate(${resolved.intervalMinutes} ${resolved.intervalMinutes === 1 ? "minute" : "minutes"})`,
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: fn.arn,
          roleArn: schedulerRole.arn,
          input: "{}",
          // The next run re-reads the same window, so a failed run needs no retry of its own.
          retryPolicy: { maximumRetryAttempts: 0 },
        },
      },
      { parent: this, dependsOn: [schedulerPolicy] },
    );

    const alarms = createReconcilerAlarms(
      name,
      {
        functionName: fn.name,
        scheduleGroupName: scheduleGroup.name,
        intervalMinutes: resolved.intervalMinutes,
      },
      args.alarmTopicArn,
      tags,
      this,
    );

    this.functionName = fn.name;
    this.scheduleName = schedule.name;
    this.apiKeySecretArn = secret.arn;
    this.recoveredAlarmName = alarms.recovered.name;
    this.notRunningAlarmName = alarms.notRunning.name;
    this.alarms = alarms;
    this.registerOutputs({
      functionName: this.functionName,
      scheduleName: this.scheduleName,
      apiKeySecretArn: this.apiKeySecretArn,
      recoveredAlarmName: this.recoveredAlarmName,
      notRunningAlarmName: this.notRunningAlarmName,
    });
  }
}
