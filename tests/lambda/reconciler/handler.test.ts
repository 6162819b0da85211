import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SANDBOX_BASE_URL } from "../../../components/lemon-api/options";
import { ConfigError } from "../../../lambda/core/errors";
import { DEFAULT_API_BASE_URL, readReconcilerConfig } from "../../../lambda/reconciler/config";
import { createReconcilerHandler } from "../../../lambda/reconciler/handler";
import { writeRunMetrics } from "../../../lambda/reconciler/metrics";
import type { ReconcileReport } from "../../../lambda/reconciler/reconcile";

const ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-api-key-AbCdEf";
const BASE_ENV = {
  LEMON_RECONCILER_API_KEY_SECRET_ARN: ARN,
  LEMON_DEDUPE_TABLE: "lemon-dedupe",
  LEMON_RECONCILER_EVENT_TYPES: "order.executed, account.created,order.executed",
};

const REPORT: ReconcileReport = {
  outcome: "complete",
  since: "2026-07-20T09:50:00.000Z",
  until: "2026-07-20T09:55:00.000Z",
  watermarkGapSeconds: 0,
  scanned: 12,
  recovered: 3,
  alreadyStored: 9,
  ignored: 0,
  invalid: 0,
  newestEventMs: Date.parse("2026-07-20T09:59:00.000Z"),
  previousWatermarkMs: undefined,
  watermarkMs: Date.parse("2026-07-20T09:59:00.000Z"),
  watermarkMoved: true,
};

describe("Function: readReconcilerConfig", () => {
  it("applies the documented defaults and de-duplicates the event types", () => {
    // Act
    const config = readReconcilerConfig(BASE_ENV);

    // Assess
    expect(config).toEqual({
      apiKeySecretArn: ARN,
      dedupeTable: "lemon-dedupe",
      eventTypes: ["order.executed", "account.created"],
      overlapSeconds: 600,
      initialLookbackSeconds: 1_500,
      settleSeconds: 300,
      dedupeTtlSeconds: 604_800,
      apiBaseUrl: "https://sandbox.api.lemon.markets/v1",
      privacyPrincipal: "lemon-webhooks/reconciler (automated reconciliation)",
      privacyJustification: "reconcile missed webhook deliveries",
    });
  });

  it("uses the same sandbox URL as the API client", () => {
    // Assess
    expect(DEFAULT_API_BASE_URL).toBe(SANDBOX_BASE_URL);
  });

  it.each([
    [
      { LEMON_RECONCILER_API_KEY_SECRET_ARN: "lm-live-key-123" },
      "LEMON_RECONCILER_API_KEY_SECRET_ARN is not a Secrets Manager secret ARN; set it to the secret's ARN, never the key",
    ],
    [
      { LEMON_RECONCILER_EVENT_TYPES: "" },
      "LEMON_RECONCILER_EVENT_TYPES is not set; set it to the comma-separated event types the webhook is registered for",
    ],
    [
      { LEMON_RECONCILER_EVENT_TYPES: "order.executed,Orders" },
      'LEMON_RECONCILER_EVENT_TYPES has invalid types "Orders"; use <entity>.<action>',
    ],
    [
      { LEMON_RECONCILER_OVERLAP_SECONDS: "-5" },
      'LEMON_RECONCILER_OVERLAP_SECONDS is "-5"; set a whole number from 0 to 86400 (one day) (default 600)',
    ],
    [
      { LEMON_DEDUPE_TTL_SECONDS: "3600", LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS: "86400" },
      "LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS (86400) must be shorter than LEMON_DEDUPE_TTL_SECONDS (3600); lower the lookback",
    ],
    [
      { LEMON_RECONCILER_SETTLE_SECONDS: "3601" },
      'LEMON_RECONCILER_SETTLE_SECONDS is "3601"; set a whole number from 0 to 3600 (one hour) (default 300)',
    ],
    [
      { LEMON_API_BASE_URL: "ftp://api" },
      "LEMON_API_BASE_URL is not an http(s) URL without query; set it to e.g. https://sandbox.api.lemon.markets/v1",
    ],
  ])("rejects %j naming the variable and the fix", (override, problem) => {
    // Act
    const act = () => readReconcilerConfig({ ...BASE_ENV, ...override });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(`receiver misconfigured: ${problem}`);
  });

  it("never echoes an API key put where the ARN belongs", () => {
    // Act
    const error = (() => {
      try {
        readReconcilerConfig({ ...BASE_ENV, LEMON_RECONCILER_API_KEY_SECRET_ARN: "lm-live-key-123" });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();

    // Assess
    expect(error?.message).not.toContain("lm-live-key-123");
  });
});

describe("Function: writeRunMetrics", () => {
  it("writes one EMF line with the run's counts and the lag", () => {
    // Prepare
    const lines: string[] = [];
    const now = Date.parse("2026-07-20T10:00:00.000Z");

    // Act
    writeRunMetrics((l) => lines.push(l), { now: () => now }, "lemon-reconciler-1", REPORT);

    // Assess
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        _aws: {
          Timestamp: now,
          CloudWatchMetrics: [
            {
              Namespace: "LemonWebhooks",
              Dimensions: [["Service", "FunctionName"]],
              Metrics: [
                { Name: "Recovered", Unit: "Count" },
                { Name: "AlreadyStored", Unit: "Count" },
                { Name: "Invalid", Unit: "Count" },
                { Name: "Scanned", Unit: "Count" },
                { Name: "FailedRuns", Unit: "Count" },
                { Name: "WatermarkGapSeconds", Unit: "Seconds" },
                { Name: "LagSeconds", Unit: "Seconds" },
                { Name: "WatermarkAgeSeconds", Unit: "Seconds" },
              ],
            },
          ],
        },
        Service: "lemon-webhooks-reconciler",
        FunctionName: "lemon-reconciler-1",
        Recovered: 3,
        AlreadyStored: 9,
        Invalid: 0,
        Scanned: 12,
        FailedRuns: 0,
        WatermarkGapSeconds: 0,
        LagSeconds: 60,
        WatermarkAgeSeconds: 60,
      },
    ]);
  });

  it("omits the lag when the run saw no event", () => {
    // Prepare
    const lines: string[] = [];

    // Act
    writeRunMetrics((l) => lines.push(l), { now: () => 0 }, "f", { ...REPORT, newestEventMs: undefined });

    // Assess
    const [line] = lines.map((l) => JSON.parse(l));
    expect(line.LagSeconds).toBeUndefined();
    expect(line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).not.toContain(
      "LagSeconds",
    );
  });

  it("reports the skipped window and the watermark's age, and omits the age before the first watermark", () => {
    // Prepare
    const lines: string[] = [];
    const now = Date.parse("2026-07-20T10:00:00.000Z");
    const clock = { now: () => now };

    // Act
    writeRunMetrics((l) => lines.push(l), clock, "f", {
      ...REPORT,
      watermarkGapSeconds: 86_400,
      watermarkMs: now - 3 * 3_600_000,
    });
    writeRunMetrics((l) => lines.push(l), clock, "f", {
      ...REPORT,
      watermarkMs: undefined,
      newestEventMs: undefined,
    });

    // Assess
    const [gap, fresh] = lines.map((l) => JSON.parse(l));
    expect([gap.WatermarkGapSeconds, gap.WatermarkAgeSeconds]).toEqual([86_400, 10_800]);
    expect(fresh.WatermarkAgeSeconds).toBeUndefined();
    expect(fresh._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      "Recovered",
      "AlreadyStored",
      "Invalid",
      "Scanned",
      "FailedRuns",
      "WatermarkGapSeconds",
    ]);
  });
});

describe("Function: createReconcilerHandler", () => {
  it("logs a setup failure naming the variable, fails the invocation, and builds again next time", async () => {
    // Prepare
    const lines: string[] = [];
    let builds = 0;
    const handler = createReconcilerHandler(
      () => {
        builds += 1;
        return readReconcilerConfig({}) as never;
      },
      { write: (l) => lines.push(l), clock: { now: () => 0 }, functionName: "f" },
    );

    // Act
    const first = await handler({}).catch((e: Error) => e.message);
    await handler({}).catch(() => undefined);

    // Assess
    expect(first).toMatch(
      /^reconciler setup failed: receiver misconfigured: LEMON_RECONCILER_API_KEY_SECRET_ARN is not set/,
    );
    expect(builds).toBe(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: "reconciler setup failed" });
  });

  it("gives the run the Lambda's remaining time minus the margin as its deadline and returns the summary", async () => {
    // Prepare
    const deadlines: Array<number | undefined> = [];
    const lines: string[] = [];
    const handler = createReconcilerHandler(
      () => async (deadlineMs) => {
        deadlines.push(deadlineMs);
        return REPORT;
      },
      { write: (l) => lines.push(l), clock: { now: () => 1_000_000 }, functionName: "f" },
    );

    // Act
    const summary = await handler({}, { getRemainingTimeInMillis: () => 300_000 });

    // Assess
    expect(deadlines).toEqual([1_000_000 + 300_000 - 20_000]);
    expect(summary).toEqual(REPORT);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "reconciliation",
      recovered: 3,
      outcome: "complete",
    });
    expect(lines).toHaveLength(2);
  });
});

describe("Bundle: dist/lambda-bundle/reconciler", () => {
  it("exports the handler and contains neither axios nor Pulumi", () => {
    // Prepare (jest's globalSetup ran scripts/build-lambda.mjs)
    const file = join(__dirname, "..", "..", "dist", "lambda-bundle", "reconciler", "index.js");

    // Act
    const source = existsSync(file) ? readFileSync(file, "utf8") : "";
    const loaded = require(file) as { handler?: unknown };

    // Assess
    expect(typeof loaded.handler).toBe("function");
    expect(source).not.toMatch(/axios|@pulumi/);
    expect(source.length).toBeLessThan(64 * 1024);
  });
});
