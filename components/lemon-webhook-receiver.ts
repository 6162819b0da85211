/**
 * LemonWebhookReceiver: everything needed to receive lemon.markets webhooks on AWS in one component.
 *
 *   lemon.markets ─POST→ API Gateway (one route, throttled, access-logged)
 *                 → receiver Lambda (verify with the secret from Secrets Manager → one conditional PutItem → 200)
 *   events table stream (INSERTs) → forwarder Lambda → PutEvents (a record given up on → failure queue, alarmed)
 *                 → EventBridge bus (+ replay archive) → consumers' rules ({@link LemonWebhookReceiver.subscribe})
 *   WebhookRegistration (lemon.markets API) ─signature secret→ Secrets Manager, once the endpoint answers.
 *
 * The composition lives here, above the two component folders: each receiver concern is built by a small
 * function in `./receiver/`, the optional reconciler is `LemonEventReconciler` of `./reconciler/` given its
 * public arguments, and neither folder imports the other.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { formatSignatureScheme } from "../contract/signature-presets";
import { forwarderAlarmSpecs, receiverAlarmSpecs } from "./receiver/alarms";
import type { ReceiverArgs, ResolvedReceiverArgs } from "./receiver/args";
import { createDashboard, type ReceiverDashboard, validateDashboardArg } from "./receiver/dashboard";
import { createDomain, validateDomain } from "./receiver/domain";
import { createFanOut } from "./receiver/fanout";
import { createForwarder, forwarderMaximumRecordAgeSeconds } from "./receiver/forwarder";
import { createReceiverFunction } from "./receiver/function";
import { createIngress } from "./receiver/ingress";
import { createDedupeTable, createSignatureSecret, createSignatureSecretValue } from "./receiver/storage";
import {
  createSubscription,
  type Subscription,
  type SubscriptionArgs,
  type SubscriptionContext,
  validateSubscription,
} from "./receiver/subscription";
import type { SubscriptionRulesOutput } from "./receiver/subscription-output";
import { endpointUrl } from "./receiver/url";
import { validateName, validateReceiverArgs } from "./receiver/validate";
import {
  type ReceiverReconcilerOptions,
  reconcilerSettings,
  resolveReconcilerApiKey,
  validateReconcilerArgs,
} from "./reconciler/args";
import { LemonEventReconciler } from "./reconciler/reconciler";
import { WebhookRegistration } from "./registration";
import { createAlarmDestination, createCountAlarm } from "./shared/alarms";
import { regionOfArn } from "./shared/arn";
import {
  defaultBundleDir,
  defaultForwarderBundleDir,
  enforceBundle,
  forwarderBundleProblem,
  receiverBundleProblem,
  reconcilerBundleProblem,
} from "./shared/bundles";

/** Arguments of {@link LemonWebhookReceiver}: the receiver's own ({@link ReceiverArgs}) and its reconciler. */
export interface LemonWebhookReceiverArgs extends ReceiverArgs {
  /**
   * The scheduled reconciler (`LemonEventReconciler`): `true` or options to add it, `false`/unset for none.
   * It reads `GET /v1/events` every 15 minutes and stores what the webhook path missed (the stream forwards it);
   * see docs/operations.md. Needs the API key (`lemonmarkets:apiKey`) at deploy time. Default off.
   */
  readonly reconciler?: boolean | ReceiverReconcilerOptions;
}

/** Pulumi type token of the component. */
export const RECEIVER_TYPE = "lemon-webhooks:index:Receiver";

/**
 * Receives lemon.markets webhooks: registers the webhook, verifies each delivery and stores it once (the 200),
 * and forwards each stored event from the table's stream to EventBridge with `source: "lemon.markets"` and
 * `detail-type: <event type>`.
 *
 * @example
 * const receiver = new LemonWebhookReceiver("lemon", { events: ["order.executed", "account.created"] });
 * receiver.subscribe("orders", { eventTypes: ["order.executed"], target: ordersFunction });
 * export const url = receiver.endpointUrl;
 */
export class LemonWebhookReceiver extends pulumi.ComponentResource {
  /**
   * The URL registered with lemon.markets: stage invoke URL + route path, or `https://<domain.name>` + route
   * path with a custom `domain` (stable across API replacements).
   */
  public readonly endpointUrl: pulumi.Output<string>;
  /** lemon.markets webhook id (`wbh_…`). */
  public readonly webhookId: pulumi.Output<string>;
  /** ARN of the Secrets Manager secret holding the signature secret. */
  public readonly secretArn: pulumi.Output<string>;
  /** Name of the bus events are forwarded to. */
  public readonly eventBusName: pulumi.Output<string>;
  /** ARN of the bus events are forwarded to. */
  public readonly eventBusArn: pulumi.Output<string>;
  /** Name of the DynamoDB dedupe table. */
  public readonly dedupeTableName: pulumi.Output<string>;
  /** ARN of the DynamoDB dedupe table (for a standalone `LemonEventReconciler` or extra IAM grants). */
  public readonly dedupeTableArn: pulumi.Output<string>;
  /** Id of the HTTP API. */
  public readonly apiId: pulumi.Output<string>;
  /** Name of the receiver Lambda. */
  public readonly functionName: pulumi.Output<string>;
  /** Name of the forwarder Lambda (table stream → EventBridge). */
  public readonly forwarderFunctionName: pulumi.Output<string>;
  /** URL of the queue of stream records the forwarder gave up on (alarmed; see `reforward`). */
  public readonly forwardFailureQueueUrl: pulumi.Output<string>;
  /** ARN of that queue. */
  public readonly forwardFailureQueueArn: pulumi.Output<string>;
  /** Name of the replay archive (for `aws events start-replay`). */
  public readonly archiveName: pulumi.Output<string>;
  /** SNS topic alarms notify; undefined when neither `alarmEmail` nor `alarmTopicArn` was given. */
  public readonly alarmTopicArn: pulumi.Output<string | undefined>;
  /**
   * The signature scheme the receiver verifies with, as configuration (a preset name, or compact JSON):
   * `send-test-event` signs with it.
   */
  public readonly signatureScheme: string;
  /**
   * The registration, for programs that need more of it. Its `signatureSecret` is a Pulumi secret: store it,
   * never export or log it.
   */
  public readonly registration: WebhookRegistration;
  /** The scheduled reconciler, when `reconciler` was enabled. */
  public readonly reconciler: LemonEventReconciler | undefined;
  /** Name of the CloudWatch dashboard; undefined with `dashboard: false`. */
  public readonly dashboardName: pulumi.Output<string> | undefined;
  /** Console URL of the dashboard; undefined with `dashboard: false`. */
  public readonly dashboardUrl: pulumi.Output<string> | undefined;
  /** The event types registered with lemon.markets (`lemon-webhooks status` compares the webhook's). */
  public readonly events: readonly string[];

  /** Each subscription made so far, with the event types it was made for. */
  private readonly subscriptions = new Map<
    string,
    { readonly subscription: Subscription; readonly eventTypes: readonly string[] }
  >();
  private readonly subscriptionContext: SubscriptionContext;
  private readonly dashboard: ReceiverDashboard | undefined;
  /** Every alarm but the subscriptions' dead-letter alarms: the receiver's, the forwarder's, the reconciler's. */
  private readonly ownAlarms: readonly aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: LemonWebhookReceiverArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Validate before registering anything: a bad argument must not leave a half-built component behind.
    validateName(name);
    const resolved: ResolvedReceiverArgs = validateReceiverArgs(args);
    const withDashboard = validateDashboardArg(args.dashboard);
    // The region is known as a string only for the default provider's `aws:region`; otherwise the certificate's
    // region is checked against the deployed one when it is known.
    const explicitProvider =
      opts.provider !== undefined || opts.providers !== undefined || opts.parent !== undefined;
    const domain = validateDomain(args.domain, explicitProvider ? undefined : aws.config.region);
    // The reconciler's arguments and API key are checked here too, before anything is registered.
    const reconcilerOptions: ReceiverReconcilerOptions | undefined =
      args.reconciler === true ? {} : args.reconciler === false ? undefined : args.reconciler;
    // Throws outside a preview when no key is set (the reconciler itself warns in a keyless preview).
    if (reconcilerOptions !== undefined) resolveReconcilerApiKey(reconcilerOptions.apiKey);
    const dryRun = pulumi.runtime.isDryRun();
    // Missing bundles are thrown in preview too; stale ones by `up`, a warning in preview (enforceBundle).
    const warnings: string[] = [];
    if (reconcilerOptions !== undefined) {
      validateReconcilerArgs(reconcilerSettings(reconcilerOptions, resolved));
      // Thrown here so nothing is registered; a stale-bundle warning is the reconciler's own to log.
      enforceBundle(reconcilerBundleProblem(reconcilerOptions.lambdaBundleDir), dryRun);
    }
    const bundleDir = args.lambdaBundleDir ?? defaultBundleDir();
    const forwarderBundleDir = args.forwarderBundleDir ?? defaultForwarderBundleDir();
    for (const problem of [
      receiverBundleProblem(args.lambdaBundleDir),
      forwarderBundleProblem(args.forwarderBundleDir),
    ]) {
      const stale = enforceBundle(problem, dryRun);
      if (stale !== undefined) warnings.push(stale);
    }
    super(RECEIVER_TYPE, name, {}, opts);
    for (const warning of warnings) pulumi.log.warn(warning, this);

    const tags = { ...args.tags };
    const secret = createSignatureSecret(name, resolved.secretRecoveryWindowInDays, tags, this);
    const table = createDedupeTable(name, tags, this);
    const fanOut = createFanOut(name, resolved, args.eventBus, tags, this);
    const alarms = createAlarmDestination(name, args.alarmEmail, args.alarmTopicArn, tags, this);
    const receiver = createReceiverFunction(
      name,
      resolved,
      {
        secretArn: secret.arn,
        tableArn: table.arn,
        tableName: table.name,
        code: new pulumi.asset.FileArchive(bundleDir),
      },
      tags,
      this,
    );
    const forwarder = createForwarder(
      name,
      resolved,
      {
        tableArn: table.arn,
        tableName: table.name,
        streamArn: table.streamArn,
        eventBusArn: fanOut.eventBusArn,
        eventBusName: fanOut.eventBusName,
        code: new pulumi.asset.FileArchive(forwarderBundleDir),
      },
      tags,
      this,
    );
    const ingress = createIngress(name, resolved, receiver.function, tags, this);
    if (domain !== undefined && domain.hostedZoneId === undefined) {
      // The webhook is registered at the custom domain straight away: until its DNS exists, deliveries fail
      // (lemon.markets retries them, and the reconciler recovers what it gives up on).
      pulumi.log.warn(
        `domain ${domain.name} has no hostedZoneId, so no DNS record is created: point it at the API Gateway domain's regional target (\`aws apigatewayv2 get-domain-name --domain-name ${domain.name}\` shows it) before lemon.markets delivers, or set hostedZoneId`,
        this,
      );
    }
    const customDomain =
      domain === undefined
        ? undefined
        : createDomain(
            name,
            domain,
            {
              apiId: ingress.api.id,
              stage: ingress.stage,
              routePath: resolved.routePath,
              region: receiver.function.arn.apply((arn) => regionOfArn(arn)),
            },
            tags,
            this,
          );
    const url =
      customDomain === undefined
        ? ingress.stage.invokeUrl.apply((invokeUrl) => endpointUrl(invokeUrl, resolved.routePath))
        : pulumi.output(customDomain.url);

    // Registered only once the endpoint can answer: lemon.markets may deliver right after the POST returns.
    this.registration = new WebhookRegistration(
      `${name}-registration`,
      {
        url,
        events: [...resolved.events],
        apiBaseUrl: args.apiBaseUrl,
        privacyPrincipal: args.privacyPrincipal,
        privacyJustification: args.privacyJustification,
        deleteBeforeReplace: args.deleteBeforeReplace,
        adoptWebhookId: args.adoptWebhookId,
      },
      {
        parent: this,
        dependsOn: [
          ingress.route,
          ingress.integration,
          ingress.stage,
          ingress.permission,
          ...(customDomain === undefined
            ? []
            : [customDomain.domainName, customDomain.mapping, ...customDomain.records]),
        ],
      },
    );
    createSignatureSecretValue(name, secret.arn, this.registration.signatureSecret, this);

    const componentAlarms: aws.cloudwatch.MetricAlarm[] = [];
    for (const { suffix, spec } of receiverAlarmSpecs(ingress.api.id, receiver.function.name)) {
      componentAlarms.push(createCountAlarm(`${name}-${suffix}`, spec, alarms.topicArn, tags, this));
    }
    for (const { suffix, spec } of forwarderAlarmSpecs({
      functionName: forwarder.function.name,
      failureQueueName: forwarder.failureQueue.name,
      maximumRecordAgeSeconds: forwarderMaximumRecordAgeSeconds(resolved.dedupeTtlSeconds),
      stack: pulumi.getStack(),
    })) {
      componentAlarms.push(createCountAlarm(`${name}-${suffix}`, spec, alarms.topicArn, tags, this));
    }

    // The opt-in reconciler: same table (stored events + watermark), same event types and API settings; what
    // it stores reaches the bus through the forwarder like any delivery.
    this.reconciler =
      reconcilerOptions === undefined
        ? undefined
        : new LemonEventReconciler(
            name,
            {
              ...reconcilerSettings(reconcilerOptions, resolved),
              // The option as given: the reconciler resolves it again (same config and environment), and in a
              // keyless preview logs the warning and keeps the stored key itself.
              apiKey: reconcilerOptions.apiKey,
              dedupeTableName: table.name,
              dedupeTableArn: table.arn,
              apiBaseUrl: args.apiBaseUrl,
              privacyPrincipal: args.privacyPrincipal,
              privacyJustification: args.privacyJustification,
              alarmTopicArn: alarms.topicArn,
              tags,
            },
            { parent: this },
          );
    // After the reconciler, so its alarms are listed; subscriptions join until this synchronous part ends.
    this.ownAlarms = [
      ...componentAlarms,
      ...(this.reconciler === undefined ? [] : Object.values(this.reconciler.alarms)),
    ];
    this.dashboard = withDashboard
      ? createDashboard(
          name,
          {
            regionalArn: receiver.function.arn,
            apiId: ingress.api.id,
            receiverFunctionName: receiver.function.name,
            forwarderFunctionName: forwarder.function.name,
            failureQueueName: forwarder.failureQueue.name,
            reconcilerFunctionName: this.reconciler?.functionName,
            alarmArns: this.ownAlarms.map((alarm) => alarm.arn),
          },
          this,
        )
      : undefined;
    this.dashboardName = this.dashboard?.name;
    this.dashboardUrl = this.dashboard?.url;
    this.endpointUrl = url;
    this.webhookId = this.registration.webhookId;
    this.secretArn = secret.arn;
    this.eventBusName = pulumi.output(fanOut.eventBusName);
    this.eventBusArn = pulumi.output(fanOut.eventBusArn);
    this.dedupeTableName = table.name;
    this.dedupeTableArn = table.arn;
    this.apiId = ingress.api.id;
    this.functionName = receiver.function.name;
    this.forwarderFunctionName = forwarder.function.name;
    this.forwardFailureQueueUrl = forwarder.failureQueue.url;
    this.forwardFailureQueueArn = forwarder.failureQueue.arn;
    this.archiveName = fanOut.archive.name;
    this.alarmTopicArn = pulumi.output(alarms.topicArn);
    this.signatureScheme = formatSignatureScheme(resolved.signatureScheme);
    this.subscriptionContext = {
      receiverName: name,
      eventBusName: fanOut.eventBusName,
      alarmTopicArn: alarms.topicArn,
      tags,
    };
    this.events = [...resolved.events];

    this.registerOutputs({
      endpointUrl: this.endpointUrl,
      webhookId: this.webhookId,
      secretArn: this.secretArn,
      eventBusName: this.eventBusName,
      eventBusArn: this.eventBusArn,
      dedupeTableName: this.dedupeTableName,
      dedupeTableArn: this.dedupeTableArn,
      apiId: this.apiId,
      functionName: this.functionName,
      forwarderFunctionName: this.forwarderFunctionName,
      forwardFailureQueueUrl: this.forwardFailureQueueUrl,
      forwardFailureQueueArn: this.forwardFailureQueueArn,
      archiveName: this.archiveName,
      alarmTopicArn: this.alarmTopicArn,
      signatureScheme: this.signatureScheme,
      ...(this.dashboard === undefined
        ? {}
        : { dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl }),
    });
  }

  /**
   * Names of every alarm of this receiver: its own, its reconciler's and the dead-letter alarm of each
   * subscription made so far (export it after the last {@link subscribe}). `lemon-webhooks status` reads their
   * states by these names: auto-named alarms share no prefix another stack could not share too.
   */
  get alarmNames(): pulumi.Output<string[]> {
    const subscriptionAlarms = [...this.subscriptions.values()].map(
      ({ subscription }) => subscription.deadLetterAlarm,
    );
    return pulumi.all([...this.ownAlarms, ...subscriptionAlarms].map((alarm) => alarm.name));
  }

  /**
   * The dead-letter queue URL of each subscription made so far, by subscription name (export it after the last
   * {@link subscribe}); `lemon-webhooks status` reports their depths.
   */
  get deadLetterQueueUrls(): pulumi.Output<Record<string, string>> {
    const entries = [...this.subscriptions].map(([name, { subscription }]) =>
      subscription.deadLetterQueue.url.apply((url) => [name, url] as const),
    );
    return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs));
  }

  /**
   * Delivers lemon.markets events of `eventTypes` to `target` through a rule on the receiver's bus, with
   * retries and a dead-letter queue (alarmed). Child names are `<receiver>-<name>-…`.
   *
   * @example
   * receiver.subscribe("orders", { eventTypes: ["order.executed"], target: ordersFunction });
   * receiver.subscribe("audit", { eventTypes: ["account.created"], target: auditQueue, maxRetryAttempts: 10 });
   */
  subscribe(name: string, args: SubscriptionArgs): Subscription {
    const unpublished = validateSubscription(
      this.subscriptionContext.receiverName,
      name,
      args,
      new Set(this.subscriptions.keys()),
    );
    for (const type of unpublished) {
      pulumi.log.warn(
        `subscribe("${name}"): event type "${type}" is not in lemon.markets' published list`,
        this,
      );
    }
    for (const type of args.eventTypes.filter((t) => !this.events.includes(t))) {
      pulumi.log.warn(
        `subscribe("${name}"): the receiver is not registered for "${type}", so this rule never sees it; add it to [events]`,
        this,
      );
    }
    const subscription = createSubscription(name, args, this.subscriptionContext, this);
    this.subscriptions.set(name, { subscription, eventTypes: [...args.eventTypes] });
    const onDashboard = this.dashboard?.add({
      name,
      deadLetterQueueName: subscription.deadLetterQueue.name,
      alarmArn: subscription.deadLetterAlarm.arn,
    });
    if (onDashboard === false) {
      pulumi.log.warn(
        `subscribe("${name}"): the dashboard was already written, so this subscription's dead-letter queue and alarm are not on it; subscribe in the same synchronous part of the program as the receiver (no await in between)`,
        this,
      );
    }
    return subscription;
  }

  /**
   * Each subscription made so far: its rule ARN and event types, by name. Export it as the stack's
   * `subscriptions` output AFTER the last `subscribe` (a snapshot: later subscriptions are not in it);
   * `lemon-webhooks replay --rule/--types` reads it to replay to chosen rules only.
   *
   * @example
   * receiver.subscribe("orders", { eventTypes: ["order.executed"], target: ordersFunction });
   * export const subscriptions = receiver.subscriptionRules();
   */
  subscriptionRules(): pulumi.Output<SubscriptionRulesOutput> {
    const entries = [...this.subscriptions].map(([name, { subscription, eventTypes }]) =>
      subscription.rule.arn.apply((ruleArn) => [name, { ruleArn, eventTypes }]),
    );
    return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs) as SubscriptionRulesOutput);
  }
}
