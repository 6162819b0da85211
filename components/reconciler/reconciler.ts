/**
 * LemonEventReconciler: a scheduled Lambda that reads `GET /v1/events` and forwards, exactly once, every
 * event the webhook path missed (receiver outage, misconfigured secret, deleted webhook, exhausted retries).
 *
 *   EventBridge Scheduler (rate(<interval> minutes)) → reconciler Lambda
 *     → Secrets Manager (API key, its own secret) → GET /v1/events since watermark − overlap
 *     → the receiver's dedupe table (claim) → the receiver's bus (PutEvents) → watermark item
 *
 * Alarms (`./alarms.ts`): events recovered ("webhooks are failing"), failed runs, invalid events, a skipped
 * window (watermark gap) and the reconciler not being invoked at all.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV_NAMES } from "../../lambda/env-names";
import { RECONCILER_ENV_NAMES } from "../../lambda/reconcile/env-names";
import { enforceBundle } from "../receiver/bundle-path";
import { LAMBDA_RUNTIME, LAMBDA_SYSTEM_LOG_LEVEL } from "../receiver/lambda-settings";
import { LAMBDA_ASSUME_ROLE_POLICY } from "../receiver/policy";
import { createReconcilerAlarms } from "./alarms";
import {
  type LemonEventReconcilerArgs,
  type ResolvedReconcilerArgs,
  resolveReconcilerApiKey,
  validateReconcilerArgs,
} from "./args";
import { defaultReconcilerBundleDir, reconcilerBundleProblem } from "./bundle";
import {
  accountOfArn,
  reconcilerPolicyDocument,
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
    readonly eventBusName: pulumi.Input<string>;
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
    [ENV_NAMES.eventBusName]: inputs.eventBusName,
    [RECONCILER_ENV_NAMES.eventTypes]: args.events.join(","),
    [RECONCILER_ENV_NAMES.overlapSeconds]: String(args.overlapSeconds),
    [RECONCILER_ENV_NAMES.initialLookbackSeconds]: String(args.initialLookbackSeconds),
    [RECONCILER_ENV_NAMES.settleSeconds]: String(args.settleSeconds),
    [ENV_NAMES.dedupeTtlSeconds]: String(args.dedupeTtlSeconds),
    [ENV_NAMES.claimLeaseSeconds]: String(args.claimLeaseSeconds),
    ...optional(RECONCILER_ENV_NAMES.apiBaseUrl, inputs.apiBaseUrl),
    ...optional(RECONCILER_ENV_NAMES.privacyPrincipal, inputs.privacyPrincipal),
    ...optional(RECONCILER_ENV_NAMES.privacyJustification, inputs.privacyJustification),
  };
}

/**
 * Reconciles missed lemon.markets events into the receiver's bus on a schedule.
 *
 * @example
 * const reconciler = new LemonEventReconciler("lemon", {
 *   events: ["order.executed"],
 *   dedupeTableName: receiver.dedupeTableName, dedupeTableArn: receiver.dedupeTableArn,
 *   eventBusName: receiver.eventBusName, eventBusArn: receiver.eventBusArn,
 * });
 */
export class LemonEventReconciler extends pulumi.ComponentResource {
  /** Name of the reconciler Lambda (invoke it by hand to reconcile now). */
  public readonly functionName: pulumi.Output<string>;
  /** Name of the EventBridge Scheduler schedule. */
  public readonly scheduleName: pulumi.Output<string>;
  /** ARN of the Secrets Manager secret holding the API key (readable only by the reconciler's role). */
  public readonly apiKeySecretArn: pulumi.Output<string>;
  /** Name of the "events were recovered" alarm. */
  public readonly recoveredAlarmName: pulumi.Output<string>;
  /** Name of the "the reconciler is not being invoked" alarm. */
  public readonly notRunningAlarmName: pulumi.Output<string>;

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

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-reconciler-logs`,
      { retentionInDays: resolved.logRetentionDays, tags },
      parent,
    );
    const role = new aws.iam.Role(
      `${name}-reconciler-role`,
      { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY, tags },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-reconciler-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([secret.arn, args.dedupeTableArn, args.eventBusArn, logGroup.arn])
          .apply(([apiKeySecretArn, tableArn, eventBusArn, logGroupArn]) =>
            JSON.stringify(reconcilerPolicyDocument({ apiKeySecretArn, tableArn, eventBusArn, logGroupArn })),
          ),
      },
      parent,
    );
    const fn = new aws.lambda.Function(
      `${name}-reconciler`,
      {
        runtime: LAMBDA_RUNTIME.runtime as aws.lambda.Runtime,
        architectures: [LAMBDA_RUNTIME.architecture],
        handler: LAMBDA_RUNTIME.handler,
        code: new pulumi.asset.FileArchive(bundleDir),
        role: role.arn,
        memorySize: resolved.memorySize,
        timeout: resolved.timeoutSeconds,
        environment: {
          variables: reconcilerEnvironment(resolved, {
            apiKeySecretArn: secret.arn,
            tableName: args.dedupeTableName,
            eventBusName: args.eventBusName,
            apiBaseUrl: args.apiBaseUrl,
            privacyPrincipal: args.privacyPrincipal,
            privacyJustification: args.privacyJustification,
          }),
        },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: logGroup.name,
          applicationLogLevel: resolved.logLevel,
          systemLogLevel: LAMBDA_SYSTEM_LOG_LEVEL,
        },
        tags,
      },
      { parent: this, dependsOn: [policy] },
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
    this.registerOutputs({
      functionName: this.functionName,
      scheduleName: this.scheduleName,
      apiKeySecretArn: this.apiKeySecretArn,
      recoveredAlarmName: this.recoveredAlarmName,
      notRunningAlarmName: this.notRunningAlarmName,
    });
  }
}
