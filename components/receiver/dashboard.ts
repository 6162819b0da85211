/**
 * The receiver's CloudWatch dashboard: one screen with what the receiver, forwarder and reconciler emit
 * (EMF, names from the Lambda modules' constants), what AWS publishes for the API, the Lambdas and the queues,
 * and the state of every alarm the component creates.
 *
 * Classic `aws.cloudwatch.Dashboard`, not aws-native's `AWS::CloudWatch::Dashboard`: both model a dashboard as
 * a name plus one JSON body string, so native offers nothing here, and it would add a second provider (with its
 * own region and credentials configuration) next to the classic one every other child of the component uses.
 *
 * Subscriptions made after the component (`receiver.subscribe(...)`) are on it: the body is an Output over the
 * subscription list, fixed at the end of the current synchronous part of the program (`setImmediate`), the way
 * a shared queue policy's rule list is (`subscription.ts`). A subscription made later (after an `await`) is
 * not on the dashboard; `subscribe` warns about it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  FORWARDER_METRICS,
  FORWARDER_SERVICE,
  METRIC_DIMENSIONS,
  METRIC_PERIOD_SECONDS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  RECEIVER_DEPENDENCIES,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  RECONCILER_SERVICE,
  REJECT_REASONS,
} from "../../contract/metrics";
import { regionOfArn } from "../shared/arn";
import { STAGE_NAME } from "./ingress";
import { ReceiverArgsError } from "./validate";

/** Default of the receiver's `dashboard` argument. */
export const DASHBOARD_DEFAULT = true;

/** Grid width of a CloudWatch dashboard (columns). */
export const DASHBOARD_COLUMNS = 24;

/** CloudWatch's limit of alarms in one alarm widget. */
const MAX_ALARMS_PER_WIDGET = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Checks the `dashboard` argument; returns whether to create one. */
export function validateDashboardArg(value: unknown): boolean {
  if (value === undefined) return DASHBOARD_DEFAULT;
  if (typeof value !== "boolean") {
    throw new ReceiverArgsError(
      "dashboard",
      `must be true or false (got ${JSON.stringify(value)}); omit it for a dashboard (the default)`,
    );
  }
  return value;
}

/** One subscription's part of the dashboard. */
export interface DashboardSubscription {
  readonly name: string;
  readonly deadLetterQueueName: pulumi.Input<string>;
  readonly alarmArn: pulumi.Input<string>;
}

/** Everything the body names, as plain strings. */
export interface DashboardFacts {
  readonly receiverName: string;
  readonly region: string;
  readonly apiId: string;
  readonly receiverFunctionName: string;
  readonly forwarderFunctionName: string;
  readonly failureQueueName: string;
  /** Absent without a reconciler. */
  readonly reconcilerFunctionName?: string;
  readonly alarmArns: readonly string[];
  readonly subscriptions: readonly { readonly name: string; readonly deadLetterQueueName: string }[];
}

/** A metric line of a widget: `[namespace, name, dimName, dimValue, …, options]`. */
type MetricLine = (string | Record<string, string | number>)[];

interface Widget {
  readonly type: "metric" | "alarm" | "text";
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

function metric(
  namespace: string,
  name: string,
  dimensions: Readonly<Record<string, string>>,
  options: Record<string, string | number>,
): MetricLine {
  return [namespace, name, ...Object.entries(dimensions).flat(), options];
}

function graph(
  title: string,
  metrics: MetricLine[],
  region: string,
  extra: Record<string, unknown> = {},
): Widget {
  return {
    type: "metric",
    x: 0,
    y: 0,
    width: 12,
    height: 6,
    properties: {
      title,
      view: "timeSeries",
      stacked: false,
      region,
      period: METRIC_PERIOD_SECONDS,
      metrics,
      ...extra,
    },
  };
}

/** Lays widgets out left to right, top to bottom, in rows of {@link DASHBOARD_COLUMNS}. */
function layout(widgets: Widget[]): Widget[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const widget of widgets) {
    if (x + widget.width > DASHBOARD_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    widget.x = x;
    widget.y = y;
    x += widget.width;
    rowHeight = Math.max(rowHeight, widget.height);
  }
  return widgets;
}

/** Widget titles, exported for the docs and the tests. */
export const DASHBOARD_TITLES = Object.freeze({
  deliveries: "Deliveries: received, stored, duplicates (receiver)",
  rejected: "Rejected deliveries by reason (receiver)",
  forwarded: "Forwarded to the bus / forward failures (forwarder)",
  inFlight:
    "In flight: stored, not yet forwarded = the table stream's backlog (forwarder IteratorAge, oldest record age)",
  failedByDependency:
    "Failed by dependency: receiver (per Dependency), PutEvents (EventBridge), forwarded mark (DynamoDB), reconciler runs (lemon.markets API)",
  api: "API Gateway: 4xx / 5xx",
  apiLatency: "API Gateway latency p50 / p99 (ms)",
  receiverDuration: "Receiver Lambda duration p50 / p99 (ms) and throttles",
  reconcilerRuns: "Reconciler: runs, failed runs, events recovered",
  reconcilerWatermark: "Reconciler: watermark age and lag (s)",
  queues: "Dead-letter depth: forward failures and every subscription's DLQ",
  alarms: "Alarms",
});

/**
 * The dashboard body (the documented CloudWatch dashboard body structure), from plain facts.
 *
 * @example
 * JSON.stringify(dashboardBody({ receiverName: "lemon", region: "eu-central-1", … }));
 */
export function dashboardBody(facts: DashboardFacts): { widgets: Widget[] } {
  const d = METRIC_DIMENSIONS;
  const { region } = facts;
  const receiver = { [d.service]: METRICS_SERVICE, [d.functionName]: facts.receiverFunctionName };
  const forwarder = { [d.service]: FORWARDER_SERVICE, [d.functionName]: facts.forwarderFunctionName };
  const ns = METRICS_NAMESPACE;
  const sum = (label: string) => ({ stat: "Sum", label });
  const r = RECEIVER_METRICS;
  const f = FORWARDER_METRICS;
  const api = { ApiId: facts.apiId, Stage: STAGE_NAME };
  const receiverFn = { FunctionName: facts.receiverFunctionName };

  const widgets: Widget[] = [
    {
      type: "text",
      x: 0,
      y: 0,
      width: DASHBOARD_COLUMNS,
      height: 2,
      properties: {
        markdown: `## lemon.markets webhooks: ${facts.receiverName}\nlemon.markets → API → receiver (store) → table stream → forwarder → EventBridge → subscriptions. Runbook: docs/operations.md.`,
      },
    },
    graph(
      DASHBOARD_TITLES.deliveries,
      [
        metric(ns, r.received, receiver, sum("received")),
        metric(ns, r.stored, receiver, sum("stored")),
        metric(ns, r.duplicates, receiver, sum("duplicates")),
      ],
      region,
    ),
    graph(
      DASHBOARD_TITLES.rejected,
      REJECT_REASONS.map((reason) =>
        metric(ns, r.rejected, { ...receiver, [d.reason]: reason }, sum(reason)),
      ),
      region,
    ),
    graph(
      DASHBOARD_TITLES.forwarded,
      [
        metric(ns, f.forwarded, forwarder, sum("forwarded")),
        metric(ns, f.forwardFailed, forwarder, sum("forward failed (retried)")),
        metric(ns, f.alreadyForwarded, forwarder, sum("already forwarded (skipped)")),
      ],
      region,
    ),
    graph(
      DASHBOARD_TITLES.inFlight,
      [
        metric(
          "AWS/Lambda",
          "IteratorAge",
          { FunctionName: facts.forwarderFunctionName },
          {
            stat: "Maximum",
            label: "stream backlog age (IteratorAge, ms)",
          },
        ),
        metric(ns, f.oldestRecordAge, forwarder, {
          stat: "Maximum",
          label: "oldest record age at forwarding (ms)",
        }),
      ],
      region,
    ),
    graph(
      DASHBOARD_TITLES.failedByDependency,
      [
        metric(ns, r.failed, receiver, sum("receiver failed (any cause)")),
        ...RECEIVER_DEPENDENCIES.map((dependency) =>
          metric(ns, r.failed, { ...receiver, [d.dependency]: dependency }, sum(`receiver: ${dependency}`)),
        ),
        metric(ns, f.forwardFailed, forwarder, sum("EventBridge PutEvents failed")),
        metric(ns, f.markFailed, forwarder, sum("DynamoDB forwarded mark failed")),
        ...(facts.reconcilerFunctionName === undefined
          ? []
          : [
              metric(
                ns,
                RECONCILER_METRICS.failedRuns,
                { [d.service]: RECONCILER_SERVICE, [d.functionName]: facts.reconcilerFunctionName },
                sum("reconciler run failed (lemon.markets API / AWS)"),
              ),
            ]),
      ],
      region,
    ),
    graph(
      DASHBOARD_TITLES.api,
      [metric("AWS/ApiGateway", "4xx", api, sum("4xx")), metric("AWS/ApiGateway", "5xx", api, sum("5xx"))],
      region,
    ),
    graph(
      DASHBOARD_TITLES.apiLatency,
      [
        metric("AWS/ApiGateway", "Latency", api, { stat: "p50", label: "p50" }),
        metric("AWS/ApiGateway", "Latency", api, { stat: "p99", label: "p99" }),
      ],
      region,
    ),
    graph(
      DASHBOARD_TITLES.receiverDuration,
      [
        metric("AWS/Lambda", "Duration", receiverFn, { stat: "p50", label: "duration p50" }),
        metric("AWS/Lambda", "Duration", receiverFn, { stat: "p99", label: "duration p99" }),
        metric("AWS/Lambda", "Throttles", receiverFn, { stat: "Sum", label: "throttles", yAxis: "right" }),
      ],
      region,
    ),
  ];
  if (facts.reconcilerFunctionName !== undefined) {
    const reconciler = { [d.service]: RECONCILER_SERVICE, [d.functionName]: facts.reconcilerFunctionName };
    const rm = RECONCILER_METRICS;
    widgets.push(
      graph(
        DASHBOARD_TITLES.reconcilerRuns,
        [
          metric("AWS/Lambda", "Invocations", { FunctionName: facts.reconcilerFunctionName }, sum("runs")),
          metric(ns, rm.failedRuns, reconciler, sum("failed runs")),
          metric(ns, rm.recovered, reconciler, sum("recovered")),
        ],
        region,
      ),
      graph(
        DASHBOARD_TITLES.reconcilerWatermark,
        [
          metric(ns, rm.watermarkAge, reconciler, { stat: "Maximum", label: "watermark age" }),
          metric(ns, rm.lag, reconciler, { stat: "Maximum", label: "lag behind newest event" }),
        ],
        region,
      ),
    );
  }
  const depth = (queueName: string, label: string) =>
    metric(
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      { QueueName: queueName },
      { stat: "Maximum", label },
    );
  widgets.push(
    graph(
      DASHBOARD_TITLES.queues,
      [
        depth(facts.failureQueueName, "forward failures"),
        ...facts.subscriptions.map((s) => depth(s.deadLetterQueueName, `subscription ${s.name}`)),
      ],
      region,
    ),
    // An alarm widget lists at most 100 alarms: more (many subscriptions) continue in further widgets.
    ...chunks(facts.alarmArns, MAX_ALARMS_PER_WIDGET).map(
      (alarms, i): Widget => ({
        type: "alarm",
        x: 0,
        y: 0,
        width: 12,
        height: 6,
        properties: {
          title: i === 0 ? DASHBOARD_TITLES.alarms : `${DASHBOARD_TITLES.alarms} (${i + 1})`,
          alarms,
          sortBy: "stateUpdatedTimestamp",
        },
      }),
    ),
  );
  return { widgets: layout(widgets) };
}

/** The dashboard's name: account-wide in CloudWatch, so it carries project and stack (`[A-Za-z0-9_-]`, ≤ 255). */
export function dashboardName(receiverName: string, project: string, stack: string): string {
  return `${receiverName}-${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255);
}

/** The console URL of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;
}

/** What the dashboard is built from; `subscriptions` is read once, when the body is fixed. */
export interface DashboardSources {
  /** Any regional ARN of the receiver (its region is the dashboard's). */
  readonly regionalArn: pulumi.Input<string>;
  readonly apiId: pulumi.Input<string>;
  readonly receiverFunctionName: pulumi.Input<string>;
  readonly forwarderFunctionName: pulumi.Input<string>;
  readonly failureQueueName: pulumi.Input<string>;
  readonly reconcilerFunctionName: pulumi.Input<string> | undefined;
  readonly alarmArns: readonly pulumi.Input<string>[];
}

/** The created dashboard and the hook that adds later subscriptions to it. */
export interface ReceiverDashboard {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly name: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  /** Adds a subscription; false once the body is fixed (the caller warns). */
  add(subscription: DashboardSubscription): boolean;
}

/** Creates the dashboard `<name>-dashboard`; its body waits for this synchronous part's subscriptions. */
export function createDashboard(
  name: string,
  sources: DashboardSources,
  parent: pulumi.Resource,
): ReceiverDashboard {
  const subscriptions: DashboardSubscription[] = [];
  let fixed = false;
  let fix: (list: DashboardSubscription[]) => void = () => undefined;
  const settled = new Promise<DashboardSubscription[]>((resolve) => {
    fix = resolve;
  });
  setImmediate(() => {
    fixed = true;
    fix([...subscriptions]);
  });
  const region = pulumi.output(sources.regionalArn).apply((arn) => regionOfArn(arn));
  const subscriptionFacts = pulumi.output(settled).apply((list) =>
    pulumi.all(
      list.map((s) =>
        pulumi.all([s.deadLetterQueueName, s.alarmArn]).apply(([deadLetterQueueName, alarmArn]) => ({
          name: s.name,
          deadLetterQueueName,
          alarmArn,
        })),
      ),
    ),
  );
  const body = pulumi
    .all([
      region,
      sources.apiId,
      sources.receiverFunctionName,
      sources.forwarderFunctionName,
      sources.failureQueueName,
      sources.reconcilerFunctionName,
      pulumi.all([...sources.alarmArns]),
      subscriptionFacts,
    ])
    .apply(([reg, apiId, receiverFn, forwarderFn, failureQueue, reconcilerFn, alarmArns, subs]) =>
      JSON.stringify(
        dashboardBody({
          receiverName: name,
          region: reg,
          apiId,
          receiverFunctionName: receiverFn,
          forwarderFunctionName: forwarderFn,
          failureQueueName: failureQueue,
          ...(reconcilerFn === undefined ? {} : { reconcilerFunctionName: reconcilerFn }),
          alarmArns: [...alarmArns, ...subs.map((s) => s.alarmArn)],
          subscriptions: subs,
        }),
      ),
    );
  const dashboard = new aws.cloudwatch.Dashboard(
    `${name}-dashboard`,
    { dashboardName: dashboardName(name, pulumi.getProject(), pulumi.getStack()), dashboardBody: body },
    { parent },
  );
  return {
    dashboard,
    name: dashboard.dashboardName,
    url: pulumi.all([region, dashboard.dashboardName]).apply(([reg, n]) => dashboardUrl(reg, n)),
    add(subscription) {
      if (fixed) return false;
      subscriptions.push(subscription);
      return true;
    },
  };
}
