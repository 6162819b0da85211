/**
 * `lemon-webhooks status`: reads what tells whether a deployed stack works and prints the findings
 * (cli/status-findings.ts decides and renders; this file reads).
 *
 * Sources: the stack's outputs (no `--show-secrets`) and config (`pulumi config --json`: apiBaseUrl and the
 * privacy headers); the API key (`pulumi config get lemonmarkets:apiKey`, else LEMON_MARKETS_API_KEY: held in
 * this process only to call GET /v1/webhooks, never printed; the lemon-api client scrubs it from errors);
 * CloudWatch `GetMetricData` over the last 24 h in 5-minute periods for the metrics the Lambdas emit (names,
 * namespace and dimensions imported from the modules that emit them); CloudWatch `DescribeAlarms` by the
 * stack's `alarmNames` output (auto-named alarms share no prefix that another stack could not share); SQS
 * `GetQueueAttributes` of `forwardFailureQueueUrl` and each of `deadLetterQueueUrls`.
 *
 * Every metric is read under exactly the dimensions the Lambdas write it with (`Service` + `FunctionName`, the
 * stack's `functionName`, `forwarderFunctionName` and `reconcilerFunctionName` outputs): CloudWatch matches
 * dimension sets exactly, and the function name keeps two stacks in one account and region apart.
 */
import { createLemonClient } from "../components/lemon-api";
import { API_KEY_CONFIG_KEY, API_KEY_ENV_VAR } from "../components/registration/types";
import {
  FORWARDER_METRICS,
  FORWARDER_SERVICE,
  METRIC_DIMENSIONS,
  METRIC_PERIOD_SECONDS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricName,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  RECONCILER_SERVICE,
} from "../contract/metrics";
import type { AwsJsonClient } from "../lambda/aws/json-client";
import { DependencyUnavailableError } from "../lambda/core/errors";
import { cliAwsClient, stackRegion } from "./aws";
import type { CliIo } from "./send-test-event";
import { API_BASE_URL_CONFIG_KEY, SetupError, stackOutputs } from "./stack";
import { STATUS_EXIT, type StatusOptions } from "./status-args";
import {
  type AlarmState,
  type ForwarderFigures,
  overall,
  type QueueDepth,
  type QueueFact,
  type Read,
  type ReceiverFigures,
  type ReconcilerFigures,
  type RegisteredWebhook,
  renderStatus,
  type StatusFacts,
  statusDocument,
  statusFindings,
} from "./status-findings";

/** The stack program's config namespace (the one `apiBaseUrl` lives in). */
const CONFIG_NAMESPACE = API_BASE_URL_CONFIG_KEY.split(":")[0]!;

/** The window the metrics cover. */
export const STATUS_WINDOW_HOURS = 24;

/** The receiver's counters status reads (the names the receiver emits, contract/metrics.ts). */
const RECEIVER_COUNTERS = {
  received: RECEIVER_METRICS.received,
  stored: RECEIVER_METRICS.stored,
  duplicates: RECEIVER_METRICS.duplicates,
  rejected: RECEIVER_METRICS.rejected,
  failed: RECEIVER_METRICS.failed,
} as const satisfies Record<string, MetricName>;

/** The dimensions a Lambda of the package writes every metric of `service` under (contract/metrics.ts). */
function functionDimensions(service: string, functionName: string): Readonly<Record<string, string>> {
  return { [METRIC_DIMENSIONS.service]: service, [METRIC_DIMENSIONS.functionName]: functionName };
}

/** One metric to query: id, metric, statistic. */
export interface MetricQuery {
  readonly id: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: "Sum" | "Maximum" | "SampleCount";
}

/** Datapoints of one query, newest first: [epoch ms, value]. */
type Series = readonly (readonly [number, number])[];

function metricQueries(functions: {
  readonly receiver: string;
  readonly forwarder: string;
  readonly reconciler: string | undefined;
}): MetricQuery[] {
  const receiver = functionDimensions(METRICS_SERVICE, functions.receiver);
  const forwarder = functionDimensions(FORWARDER_SERVICE, functions.forwarder);
  const reconcilerFunction = functions.reconciler;
  const queries: MetricQuery[] = [
    ...Object.entries(RECEIVER_COUNTERS).map(([id, name]) => ({
      id: `receiver_${id}`,
      name,
      dimensions: receiver,
      stat: "Sum" as const,
    })),
    { id: "forwarder_forwarded", name: FORWARDER_METRICS.forwarded, dimensions: forwarder, stat: "Sum" },
    { id: "forwarder_failed", name: FORWARDER_METRICS.forwardFailed, dimensions: forwarder, stat: "Sum" },
  ];
  if (reconcilerFunction === undefined) return queries;
  const own = functionDimensions(RECONCILER_SERVICE, reconcilerFunction);
  return [
    ...queries,
    // Every run writes Scanned (0 included): its sample count tells the runs.
    { id: "reconciler_runs", name: RECONCILER_METRICS.scanned, dimensions: own, stat: "SampleCount" },
    { id: "reconciler_recovered", name: RECONCILER_METRICS.recovered, dimensions: own, stat: "Sum" },
    { id: "reconciler_failed", name: RECONCILER_METRICS.failedRuns, dimensions: own, stat: "Sum" },
    { id: "reconciler_watermark", name: RECONCILER_METRICS.watermarkAge, dimensions: own, stat: "Maximum" },
  ];
}

/**
 * Every query's datapoints over `[fromMs, toMs)`, following `NextToken`.
 *
 * @throws DependencyUnavailableError when CloudWatch refuses or fails.
 */
export async function readMetrics(
  cloudWatch: AwsJsonClient,
  queries: readonly MetricQuery[],
  fromMs: number,
  toMs: number,
): Promise<Map<string, Series>> {
  const series = new Map<string, [number, number][]>(queries.map((q) => [q.id, []]));
  let token: string | undefined;
  do {
    const page = await cloudWatch.call<{
      MetricDataResults?: { Id?: string; Timestamps?: number[]; Values?: number[] }[];
      NextToken?: string;
    }>("GetMetricData", {
      MetricDataQueries: queries.map((q) => ({
        Id: q.id,
        MetricStat: {
          Metric: {
            Namespace: METRICS_NAMESPACE,
            MetricName: q.name,
            Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: METRIC_PERIOD_SECONDS,
          Stat: q.stat,
        },
      })),
      StartTime: Math.floor(fromMs / 1000),
      EndTime: Math.ceil(toMs / 1000),
      ScanBy: "TimestampDescending",
      ...(token === undefined ? {} : { NextToken: token }),
    });
    const value = page.ok ? page.value : {};
    for (const result of value.MetricDataResults ?? []) {
      const points = series.get(result.Id ?? "");
      const values = result.Values ?? [];
      for (const [i, seconds] of (result.Timestamps ?? []).entries()) {
        points?.push([seconds * 1000, values[i] ?? 0]);
      }
    }
    token = value.NextToken;
  } while (token !== undefined);
  for (const points of series.values()) points.sort((a, b) => b[0] - a[0]);
  return series;
}

const total = (series: Series | undefined) => (series ?? []).reduce((sum, [, v]) => sum + v, 0);
const newestNonZero = (series: Series | undefined) => (series ?? []).find(([, v]) => v > 0)?.[0];

function receiverFigures(series: Map<string, Series>): ReceiverFigures {
  return {
    lastReceivedMs: newestNonZero(series.get("receiver_received")),
    received: total(series.get("receiver_received")),
    stored: total(series.get("receiver_stored")),
    duplicates: total(series.get("receiver_duplicates")),
    rejected: total(series.get("receiver_rejected")),
    failed: total(series.get("receiver_failed")),
  };
}

function forwarderFigures(series: Map<string, Series>): ForwarderFigures {
  return {
    lastForwardedMs: newestNonZero(series.get("forwarder_forwarded")),
    forwarded: total(series.get("forwarder_forwarded")),
    forwardFailed: total(series.get("forwarder_failed")),
  };
}

function reconcilerFigures(series: Map<string, Series>): ReconcilerFigures {
  return {
    lastRunMs: newestNonZero(series.get("reconciler_runs")),
    recovered: total(series.get("reconciler_recovered")),
    failedRuns: total(series.get("reconciler_failed")),
    watermarkAgeSeconds: series.get("reconciler_watermark")?.[0]?.[1],
  };
}

/** The states of `names`, 100 names per DescribeAlarms (its limit), following `NextToken`. */
export async function readAlarms(cloudWatch: AwsJsonClient, names: readonly string[]): Promise<AlarmState[]> {
  const states: AlarmState[] = [];
  for (let i = 0; i < names.length; i += 100) {
    let token: string | undefined;
    do {
      const page = await cloudWatch.call<{
        MetricAlarms?: {
          AlarmName?: string;
          StateValue?: string;
          StateReason?: string;
          StateUpdatedTimestamp?: number;
        }[];
        NextToken?: string;
      }>("DescribeAlarms", {
        AlarmNames: names.slice(i, i + 100),
        ...(token === undefined ? {} : { NextToken: token }),
      });
      const value = page.ok ? page.value : {};
      for (const alarm of value.MetricAlarms ?? []) {
        states.push({
          name: alarm.AlarmName ?? "",
          state: alarm.StateValue ?? "",
          reason: alarm.StateReason,
          sinceMs: alarm.StateUpdatedTimestamp === undefined ? undefined : alarm.StateUpdatedTimestamp * 1000,
        });
      }
      token = value.NextToken;
    } while (token !== undefined);
  }
  return states;
}

/** The depth of the queue at `url`, or "missing" when SQS does not know it. */
export async function readQueueDepth(sqs: AwsJsonClient, url: string): Promise<QueueDepth | "missing"> {
  const answer = await sqs.call<{ Attributes?: Record<string, string> }>(
    "GetQueueAttributes",
    {
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    },
    ["QueueDoesNotExist"],
  );
  if (!answer.ok) return "missing";
  const attributes = answer.value.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * What a failed call says: the AWS error type (with the permission it needs when denied), or the lemon-api
 * client's message (which never holds the API key), never a request.
 */
function problemOf(error: unknown, permission: string): string {
  if (error instanceof DependencyUnavailableError) {
    return /AccessDenied|Unauthorized/.test(error.code) ? `${error.code}: needs ${permission}` : error.code;
  }
  return error instanceof Error ? error.message : "unknown error";
}

async function attempt<T>(read: () => Promise<T>, permission: string): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, problem: problemOf(error, permission) };
  }
}

const stringOutput = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const stringList = (value: unknown) =>
  Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;

/** The stack as status reads it. */
interface Target {
  readonly url: string;
  readonly events: readonly string[] | undefined;
  readonly webhookId: string | undefined;
  readonly region: string;
  readonly alarmNames: readonly string[] | undefined;
  readonly queues: readonly { readonly label: string; readonly url: string }[];
  readonly receiverFunction: string;
  readonly forwarderFunction: string;
  readonly reconcilerFunction: string | undefined;
  readonly dashboardUrl: string | undefined;
  readonly missingOutputs: readonly string[];
}

function targetOf(stack: string, outputs: Record<string, unknown>): Target {
  const url = stringOutput(outputs.endpointUrl);
  if (url === undefined) {
    throw new SetupError(`stack ${stack} has no endpointUrl output; run pulumi up first (see index.ts)`);
  }
  const region = stackRegion(stack, outputs);
  const receiverFunction = stringOutput(outputs.functionName);
  const forwarderFunction = stringOutput(outputs.forwarderFunctionName);
  if (receiverFunction === undefined || forwarderFunction === undefined) {
    throw new SetupError(
      `stack ${stack} lacks the functionName and forwarderFunctionName outputs, which name the receiver's and forwarder's metrics; export them from the stack program (see index.ts)`,
    );
  }
  const forwardFailures = stringOutput(outputs.forwardFailureQueueUrl);
  const dlqs = outputs.deadLetterQueueUrls;
  const subscriptions =
    typeof dlqs === "object" && dlqs !== null && !Array.isArray(dlqs)
      ? Object.entries(dlqs as Record<string, unknown>).flatMap(([name, value]) =>
          typeof value === "string" ? [{ label: `subscription ${name}`, url: value }] : [],
        )
      : [];
  return {
    url,
    events: stringList(outputs.events),
    webhookId: stringOutput(outputs.webhookId),
    region,
    alarmNames: stringList(outputs.alarmNames),
    queues: [
      ...(forwardFailures === undefined ? [] : [{ label: "forward failures", url: forwardFailures }]),
      ...subscriptions,
    ],
    receiverFunction,
    forwarderFunction,
    reconcilerFunction: stringOutput(outputs.reconcilerFunctionName),
    dashboardUrl: stringOutput(outputs.dashboardUrl),
    missingOutputs: forwardFailures === undefined ? ["forwardFailureQueueUrl"] : [],
  };
}

/** The lemon.markets settings of the stack: API root and privacy headers from config, the API key. */
interface LemonAccess {
  readonly apiKey: string;
  readonly baseUrl: string | undefined;
  readonly privacyPrincipal: string | undefined;
  readonly privacyJustification: string | undefined;
  /** `lemon-webhooks:reconciler` is not false (the stack program's default: on). */
  readonly reconcilerEnabled: boolean;
}

async function lemonAccess(stack: string, io: CliIo): Promise<LemonAccess> {
  let config: Record<string, { value?: unknown } | undefined>;
  try {
    const parsed: unknown = JSON.parse(await io.runPulumi(["config", "--json", "--stack", stack]));
    config = typeof parsed === "object" && parsed !== null ? (parsed as typeof config) : {};
  } catch (error) {
    throw new SetupError(
      `could not read the config of stack ${stack} (${error instanceof SyntaxError ? "not JSON" : error instanceof Error ? error.message : "error"}); check the stack name and that the Pulumi CLI is logged in`,
    );
  }
  const value = (key: string) => {
    const entry = config[key]?.value;
    return typeof entry === "string" && entry !== "" ? entry : undefined;
  };
  let apiKey: string | undefined;
  try {
    // Prints the decrypted value; only its success matters here, nothing of it is ever printed.
    apiKey =
      (await io.runPulumi(["config", "get", API_KEY_CONFIG_KEY, "--stack", stack])).trim() || undefined;
  } catch {
    apiKey = undefined;
  }
  apiKey ??= io.env[API_KEY_ENV_VAR]?.trim() || undefined;
  if (apiKey === undefined) {
    throw new SetupError(
      `the lemon.markets API key is needed to read the webhook: set it in the stack (pulumi config set --secret ${API_KEY_CONFIG_KEY} <key> --stack ${stack}) or export ${API_KEY_ENV_VAR}`,
    );
  }
  return {
    apiKey,
    baseUrl: value(API_BASE_URL_CONFIG_KEY),
    privacyPrincipal: value(`${CONFIG_NAMESPACE}:privacyPrincipal`),
    privacyJustification: value(`${CONFIG_NAMESPACE}:privacyJustification`),
    reconcilerEnabled: String(config[`${CONFIG_NAMESPACE}:reconciler`]?.value ?? "true") !== "false",
  };
}

async function readWebhooks(access: LemonAccess): Promise<RegisteredWebhook[]> {
  const lemon = createLemonClient({
    apiKey: access.apiKey,
    ...(access.baseUrl === undefined ? {} : { baseUrl: access.baseUrl }),
    ...(access.privacyPrincipal === undefined ? {} : { privacyPrincipal: access.privacyPrincipal }),
    ...(access.privacyJustification === undefined
      ? {}
      : { privacyJustification: access.privacyJustification }),
  });
  // Only id, url and events leave this function: never the signature secret the listing carries.
  return (await lemon.listWebhooks()).map(({ id, url, events }) => ({ id, url, events: [...events] }));
}

/**
 * Reads everything status reports on.
 *
 * @throws SetupError when the stack's outputs or config, the API key or AWS credentials are unavailable.
 */
export async function gatherStatus(options: StatusOptions, io: CliIo, nowMs: number): Promise<StatusFacts> {
  const target = targetOf(options.stack, await stackOutputs(options.stack, io.runPulumi));
  const cloudWatch = cliAwsClient(io.env, target.region, "cloudWatch");
  const sqs = cliAwsClient(io.env, target.region, "sqs");
  const access = await lemonAccess(options.stack, io);
  const fromMs = nowMs - STATUS_WINDOW_HOURS * 3_600_000;
  const metricsPermission = "cloudwatch:GetMetricData";
  const [webhooks, metrics, alarms, queues] = await Promise.all([
    attempt(() => readWebhooks(access), "a lemon.markets API key of this account"),
    attempt(
      () =>
        readMetrics(
          cloudWatch,
          metricQueries({
            receiver: target.receiverFunction,
            forwarder: target.forwarderFunction,
            reconciler: target.reconcilerFunction,
          }),
          fromMs,
          nowMs,
        ),
      metricsPermission,
    ),
    target.alarmNames === undefined
      ? Promise.resolve(undefined)
      : attempt(async () => {
          const names = target.alarmNames ?? [];
          return { names, states: await readAlarms(cloudWatch, names) };
        }, "cloudwatch:DescribeAlarms"),
    Promise.all(
      target.queues.map(
        async (queue): Promise<QueueFact> => ({
          ...queue,
          depth: await attempt(() => readQueueDepth(sqs, queue.url), "sqs:GetQueueAttributes"),
        }),
      ),
    ),
  ]);
  const from = <T>(pick: (series: Map<string, Series>) => T): Read<T> =>
    metrics.ok ? { ok: true, value: pick(metrics.value) } : metrics;
  return {
    stack: options.stack,
    nowMs,
    windowHours: STATUS_WINDOW_HOURS,
    expected: { url: target.url, events: target.events, webhookId: target.webhookId },
    webhooks,
    receiver: from(receiverFigures),
    forwarder: from(forwarderFigures),
    alarms,
    queues,
    reconciler: target.reconcilerFunction === undefined ? undefined : from(reconcilerFigures),
    dashboardUrl: target.dashboardUrl,
    missingOutputs: [
      ...target.missingOutputs,
      ...(target.reconcilerFunction === undefined && access.reconcilerEnabled
        ? ["reconcilerFunctionName"]
        : []),
    ],
  };
}

/**
 * Runs status with parsed `options`; resolves with the exit code.
 *
 * @example
 * const code = await status({ stack: "dev", json: false }, io);
 */
export async function status(
  options: StatusOptions,
  io: CliIo,
  nowMs: () => number = Date.now,
): Promise<number> {
  let facts: StatusFacts;
  try {
    facts = await gatherStatus(options, io, nowMs());
  } catch (error) {
    io.stderr(
      error instanceof SetupError
        ? error.message
        : `status setup failed: ${error instanceof Error ? error.name : "error"}`,
    );
    return STATUS_EXIT.setup;
  }
  const findings = statusFindings(facts);
  const code = overall(findings) === "fail" ? STATUS_EXIT.unhealthy : STATUS_EXIT.ok;
  if (options.json) io.stdout(JSON.stringify(statusDocument(facts, findings, code), null, 2));
  else for (const line of renderStatus(facts, findings)) io.stdout(line);
  return code;
}
