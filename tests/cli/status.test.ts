/**
 * `lemon-webhooks status` end to end: the real command against the lemon.markets emulator (a real HTTP
 * server holding the webhook), the local CloudWatch and SQS stand-ins (AWS JSON 1.0, SigV4-checked) and a
 * fake `pulumi` that prints the stack's outputs and config. The clock is injected; nothing waits on time.
 */
import { runCli } from "../../cli/main";
import type { CliIo } from "../../cli/send-test-event";
import { status } from "../../cli/status";
import { STATUS_EXIT, STATUS_USAGE } from "../../cli/status-args";
import { createLemonClient } from "../../components/lemon-api";
import { METRICS_NAMESPACE, RECONCILER_METRICS, RECONCILER_SERVICE } from "../../contract/metrics";
import { type Emulator, startEmulator } from "../../emulator";
import { createEmfMetrics } from "../../lambda/core/observability";
import { createForwarderMetrics } from "../../lambda/forwarder/metrics";
import {
  type FakeCloudWatch,
  type FakeSqs,
  LOCAL_CREDENTIALS,
  startFakeCloudWatch,
  startFakeSqs,
} from "../../local";
import { putEmfLine } from "../support/emf";

const KEY = "lm-status-test-key-5f1e2d3c4b";
/** On a 5-minute boundary, so each datapoint's period is exact. */
const NOW = Date.parse("2026-12-01T18:00:00.000Z");
const ENDPOINT = "https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets";
const EVENTS = ["order.executed", "account.created"];
const RECONCILER_FN = "lemon-reconciler-0a1b2c3";
const RECEIVER_FN = "lemon-receiver-0a1b2c3";
const FORWARDER_FN = "lemon-forwarder-0a1b2c3";
const ALARMS = [
  "lemon-api-5xx-0a1b2c3",
  "lemon-receiver-errors-0a1b2c3",
  "lemon-forward-failures-depth-0a1b2c3",
  "lemon-reconciler-not-running-0a1b2c3",
];

let emu: Emulator;
let cw: FakeCloudWatch;
let sqs: FakeSqs;
let webhookId: string;
let forwardFailures: string;
let ordersDlq: string;

/** What the fake `pulumi` prints: an object as JSON, a string as is; an Error fails the command. */
interface FakeStack {
  readonly outputs?: Record<string, unknown> | Error;
  readonly apiKeyInConfig?: boolean;
  /** `lemon-webhooks:reconciler` as `pulumi config --json` shows it; absent when unset. */
  readonly reconcilerConfig?: string;
}

function outputs(): Record<string, unknown> {
  return {
    endpointUrl: ENDPOINT,
    webhookId,
    events: EVENTS,
    eventBusArn: "arn:aws:events:eu-central-1:123456789012:event-bus/lemon-bus-0a1b2c3",
    forwardFailureQueueUrl: forwardFailures,
    deadLetterQueueUrls: { orders: ordersDlq },
    alarmNames: ALARMS,
    functionName: RECEIVER_FN,
    forwarderFunctionName: FORWARDER_FN,
    reconcilerFunctionName: RECONCILER_FN,
    dashboardUrl:
      "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/lemon-0a1b2c3",
  };
}

function capture(stack: FakeStack = {}, env: Record<string, string> = awsEnv()) {
  const out: string[] = [];
  const err: string[] = [];
  const pulumiCalls: string[][] = [];
  const io: CliIo = {
    env,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    runPulumi: async (args) => {
      pulumiCalls.push([...args]);
      const key = args.slice(0, 2).join(" ");
      if (key === "stack output") {
        const answer = stack.outputs ?? outputs();
        if (answer instanceof Error) throw answer;
        return JSON.stringify(answer);
      }
      if (key === "config --json") {
        return JSON.stringify({
          "lemon-webhooks:apiBaseUrl": { value: emu.baseUrl, secret: false },
          "lemonmarkets:apiKey": { secret: true },
          ...(stack.reconcilerConfig === undefined
            ? {}
            : { "lemon-webhooks:reconciler": { value: stack.reconcilerConfig, secret: false } }),
        });
      }
      if (key === "config get" && stack.apiKeyInConfig !== false) return `${KEY}\n`;
      throw new Error("error: configuration key 'lemonmarkets:apiKey' not found for stack 'dev'");
    },
    now: () => 0,
  };
  return { io, out, err, pulumiCalls };
}

function awsEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_CLOUDWATCH: cw.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  };
}

const MIN = 60_000;

beforeAll(async () => {
  [emu, cw, sqs] = await Promise.all([
    startEmulator({ apiKeys: [KEY] }),
    startFakeCloudWatch(),
    startFakeSqs(),
  ]);
  const lemon = createLemonClient({ apiKey: KEY, baseUrl: emu.baseUrl });
  webhookId = (await lemon.createWebhook({ url: ENDPOINT, events: EVENTS })).id;
  forwardFailures = sqs.queueUrl("lemon-forward-failures-0a1b2c3");
  ordersDlq = sqs.queueUrl("lemon-orders-dlq-0a1b2c3");
  // What the Lambdas' EMF lines would have put in CloudWatch: 3 deliveries (1 a duplicate), 2 forwarded, a
  // reconciler run that recovered nothing.
  // The receiver's and forwarder's lines come from their own EMF writers: status must query exactly the
  // dimensions they write (Service + FunctionName).
  const write = (line: string) => putEmfLine(cw, line);
  const at = (ms: number) => ({ now: () => ms });
  createEmfMetrics(write, at(NOW - 184 * MIN), RECEIVER_FN).record(["Received", "Stored"]);
  createEmfMetrics(write, at(NOW - 4 * MIN), RECEIVER_FN).record(["Received", "Stored"]);
  createEmfMetrics(write, at(NOW - 3 * MIN), RECEIVER_FN).record(["Received", "Duplicates"]);
  // Another stack's receiver in the same account: its numbers must not be counted.
  createEmfMetrics(write, at(NOW - 2 * MIN), "other-stack-receiver").record(["Received", "Stored"]);
  const batch = { forwarded: 1, forwardFailed: 0, alreadyForwarded: 0, markFailed: 0 };
  createForwarderMetrics(write, at(NOW - 184 * MIN), FORWARDER_FN).record(batch);
  createForwarderMetrics(write, at(NOW - 4 * MIN), FORWARDER_FN).record(batch);
  const reconciler = (name: string) => ({
    namespace: METRICS_NAMESPACE,
    name,
    dimensions: { Service: RECONCILER_SERVICE, FunctionName: RECONCILER_FN },
  });
  for (const at of [NOW - 24 * MIN, NOW - 9 * MIN]) {
    cw.put(reconciler(RECONCILER_METRICS.scanned), at, 4);
    cw.put(reconciler(RECONCILER_METRICS.recovered), at, 0);
    cw.put(reconciler(RECONCILER_METRICS.failedRuns), at, 0);
  }
  cw.put(reconciler(RECONCILER_METRICS.watermarkAge), NOW - 24 * MIN, 1260);
  cw.put(reconciler(RECONCILER_METRICS.watermarkAge), NOW - 9 * MIN, 420);
});

beforeEach(() => {
  for (const name of ALARMS) cw.setAlarm({ name, state: "OK" });
  sqs.setQueue(forwardFailures, { visible: 0 });
  sqs.setQueue(ordersDlq, { visible: 0 });
  cw.clearFaults();
});

afterAll(async () => {
  await Promise.all([emu.close(), cw.close(), sqs.close()]);
});

const HEALTHY = [
  "Status of stack dev at 2026-12-01T18:00:00Z",
  "",
  `OK    webhook             ${"wbh_ID"} delivers 2 event types to ${ENDPOINT}, as deployed`,
  "OK    last delivery       in the 5 min from 2026-12-01T17:55:00Z (5 min ago); 24 h: 3 received, 2 stored, 1 duplicate, 0 rejected, 0 failed",
  "OK    last forwarded      in the 5 min from 2026-12-01T17:55:00Z (5 min ago); 24 h: 2 forwarded, 0 retried after a failed PutEvents",
  "OK    alarms              none of 4 in ALARM",
  "OK    dead-letter queues  forward failures: empty",
  "OK    dead-letter queues  subscription orders: empty",
  "OK    reconciler          last run in the 5 min from 2026-12-01T17:50:00Z (10 min ago); 24 h: 0 recovered; watermark lag 420 s",
  "INFO  dashboard           https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/lemon-0a1b2c3",
  "",
  "Result: OK (0 failing checks, 0 warnings)",
];

const lines = (expected: readonly string[]) => expected.map((line) => line.replace("wbh_ID", webhookId));

describe("Command: lemon-webhooks status against the emulator and the local CloudWatch and SQS", () => {
  it("reports a healthy stack with every check OK and exits 0, never printing the API key or the secret", async () => {
    // Prepare
    const { io, out, err, pulumiCalls } = capture();

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.ok);
    expect(err).toEqual([]);
    expect(out).toEqual(lines(HEALTHY));
    expect(pulumiCalls).toEqual([
      ["stack", "output", "--json", "--stack", "dev"],
      ["config", "--json", "--stack", "dev"],
      ["config", "get", "lemonmarkets:apiKey", "--stack", "dev"],
    ]);
    const printed = [...out, ...err].join("\n");
    expect(printed).not.toContain(KEY);
    expect(printed).not.toContain(emu.webhooks()[0]!.signature_secret);
  });

  it("fails with exit 1 when the stack's events drifted from the webhook's", async () => {
    // Prepare
    const { io, out } = capture({ outputs: { ...outputs(), events: [...EVENTS, "order.rejected"] } });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.unhealthy);
    expect(
      out.filter((line) => line.startsWith("FAIL") || line.startsWith("WARN") || line.startsWith("Result")),
    ).toEqual([
      `FAIL  webhook             ${webhookId} lacks order.rejected of the stack's events: lemon.markets does not deliver them; run pulumi up`,
      "Result: FAIL (1 failing check, 0 warnings)",
    ]);
  });

  it("fails with exit 1 on an alarm in ALARM and on a non-empty dead-letter queue, in --json too", async () => {
    // Prepare
    cw.setAlarm({
      name: "lemon-api-5xx-0a1b2c3",
      state: "ALARM",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold (1.0)",
      updatedMs: NOW - 12 * MIN,
    });
    sqs.setQueue(ordersDlq, { visible: 2 });
    const { io, out, err } = capture();

    // Act
    const code = await status({ stack: "dev", json: true }, io, () => NOW);

    // Assess
    expect([code, err]).toEqual([STATUS_EXIT.unhealthy, []]);
    expect(out).toHaveLength(1);
    const document = JSON.parse(out[0]!) as {
      result: string;
      exitCode: number;
      findings: { level: string }[];
    };
    expect([document.result, document.exitCode]).toEqual(["fail", 1]);
    expect(document.findings.filter((f) => f.level !== "ok" && f.level !== "info")).toEqual([
      {
        check: "alarms",
        level: "fail",
        summary:
          "lemon-api-5xx-0a1b2c3 in ALARM since 2026-12-01T17:48:00Z: Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold (1.0)",
      },
      {
        check: "dead-letter queues",
        level: "fail",
        summary:
          "subscription orders: 2 messages: events the subscription's target did not accept; fix the target, then redrive the queue",
      },
    ]);
    // The machine-readable document carries no secret either.
    expect(out[0]).not.toContain(KEY);
    expect(out[0]).not.toContain(emu.webhooks()[0]!.signature_secret);
  });

  it("fails the metric checks it could not make when CloudWatch denies GetMetricData, naming the permission", async () => {
    // Prepare
    cw.failNext(1, "denied", "GetMetricData");
    const { io, out } = capture();

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.unhealthy);
    expect(out.filter((line) => line.startsWith("FAIL"))).toHaveLength(3);
    expect(new Set(out.filter((line) => line.startsWith("FAIL")).map((line) => line.slice(26)))).toEqual(
      new Set(["could not check: AccessDeniedException: needs cloudwatch:GetMetricData"]),
    );
  });

  it("fails the alarm and queue checks when DescribeAlarms is throttled and SQS denies access", async () => {
    // Prepare
    cw.failNext(1, "throttle", "DescribeAlarms");
    sqs.failNext(2, "denied");
    const { io, out } = capture();

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.unhealthy);
    expect(out.filter((line) => line.startsWith("FAIL"))).toEqual([
      "FAIL  alarms              could not check: ThrottlingException",
      `FAIL  dead-letter queues  could not check: forward failures (${forwardFailures}): AccessDeniedException: needs sqs:GetQueueAttributes`,
      `FAIL  dead-letter queues  could not check: subscription orders (${ordersDlq}): AccessDeniedException: needs sqs:GetQueueAttributes`,
    ]);
  });

  it("says the reconciler is not deployed when the stack turned it off", async () => {
    // Prepare
    const { reconcilerFunctionName: _, ...withoutReconciler } = outputs();
    const { io, out } = capture({ outputs: withoutReconciler, reconcilerConfig: "false" });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.ok);
    expect(out.filter((line) => line.includes("reconciler"))).toEqual([
      "INFO  reconciler          not deployed (lemon-webhooks:reconciler is false)",
    ]);
  });

  it("refuses an unknown stack with exit 4 and the Pulumi error, checking nothing", async () => {
    // Prepare
    const { io, out, err, pulumiCalls } = capture({
      outputs: new Error("error: no stack named 'nope' found"),
    });
    const before = cw.calls("GetMetricData");

    // Act
    const code = await runCli(["status", "--stack", "nope"], io);

    // Assess
    expect(code).toBe(STATUS_EXIT.setup);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "could not read the outputs of stack nope (error: no stack named 'nope' found); check the stack name and that the Pulumi CLI is logged in",
    ]);
    expect(pulumiCalls).toHaveLength(1);
    expect(cw.calls("GetMetricData")).toBe(before);
  });

  it("refuses a stack without an endpointUrl output with exit 4", async () => {
    // Prepare
    const { io, err } = capture({ outputs: { webhookId: "wbh_x" } });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect([code, err]).toEqual([
      STATUS_EXIT.setup,
      ["stack dev has no endpointUrl output; run pulumi up first (see index.ts)"],
    ]);
  });

  it("refuses to run without AWS credentials, with exit 4 and how to export them", async () => {
    // Prepare
    const { io, out, err } = capture({}, { AWS_ENDPOINT_URL_CLOUDWATCH: cw.endpoint });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect([code, out]).toEqual([STATUS_EXIT.setup, []]);
    expect(err).toEqual([
      'AWS credentials are needed (AWS_ACCESS_KEY_ID is not set; Lambda sets it, locally export it; AWS_SECRET_ACCESS_KEY is not set; Lambda sets it, locally export it): export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), e.g. eval "$(aws configure export-credentials --format env)"',
    ]);
  });

  it("refuses to run without the lemon.markets API key, with exit 4 and where to put it", async () => {
    // Prepare
    const { io, err } = capture({ apiKeyInConfig: false });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect([code, err]).toEqual([
      STATUS_EXIT.setup,
      [
        "the lemon.markets API key is needed to read the webhook: set it in the stack (pulumi config set --secret lemonmarkets:apiKey <key> --stack dev) or export LEMON_MARKETS_API_KEY",
      ],
    ]);
  });

  it("takes the API key from LEMON_MARKETS_API_KEY when the stack has none", async () => {
    // Prepare
    const { io, out } = capture({ apiKeyInConfig: false }, { ...awsEnv(), LEMON_MARKETS_API_KEY: KEY });

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.ok);
    expect(out[2]).toBe(lines(HEALTHY)[2]);
  });

  it("fails the webhook check, without the key, when lemon.markets refuses the key", async () => {
    // Prepare
    const { io, out } = capture(
      { apiKeyInConfig: false },
      { ...awsEnv(), LEMON_MARKETS_API_KEY: "lm-wrong-key" },
    );

    // Act
    const code = await status({ stack: "dev", json: false }, io, () => NOW);

    // Assess
    expect(code).toBe(STATUS_EXIT.unhealthy);
    expect(out[2]).toMatch(/^FAIL {2}webhook {13}could not check: .*401/);
    expect(out.join("\n")).not.toContain("lm-wrong-key");
  });

  it("prints its help with exit 0 and refuses a missing --stack with exit 2", async () => {
    // Prepare
    const help = capture();
    const bad = capture();

    // Act
    const codes = [await runCli(["status", "--help"], help.io), await runCli(["status", "--json"], bad.io)];

    // Assess
    expect(codes).toEqual([0, 2]);
    expect(help.out).toEqual([STATUS_USAGE]);
    expect(bad.err).toEqual(["status needs --stack <name>: the Pulumi stack to check"]);
  });
});
