/**
 * What every Lambda of the package shares: one runtime (contract/runtime.json, also the bundles' esbuild target),
 * Lambda's own START/REPORT lines kept (system log level INFO), a configurable application log level, and an
 * explicit recovery window on every secret.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import { LemonEventReconciler, LemonWebhookReceiver } from "../../../components";
import { LAMBDA_RUNTIME } from "../../../components/shared/lambda-settings";
import {
  fakeBundleDir,
  installMocks,
  KNOWN_API_KEY,
  recorded,
  resetRecords,
  resource,
  settle,
} from "../../support/pulumi-mocks";
import { ROOT } from "../../support/stack-program";

const BUNDLE = fakeBundleDir();

beforeAll(async () => {
  await installMocks();
});

beforeEach(() => {
  resetRecords();
});

async function build(args: Partial<ConstructorParameters<typeof LemonWebhookReceiver>[1]> = {}) {
  new LemonWebhookReceiver("lemon", {
    events: ["order.executed"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    reconciler: { apiKey: KNOWN_API_KEY, lambdaBundleDir: BUNDLE },
    ...args,
  });
  await settle();
}

function functions() {
  // Sorted by name: the two register in whichever order their inputs resolve.
  return recorded
    .filter((r) => r.type === "aws:lambda/function:Function")
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe("Constant: LAMBDA_RUNTIME", () => {
  it("is nodejs24.x, the newest Node.js runtime of the installed @pulumi/aws", () => {
    expect(LAMBDA_RUNTIME).toEqual({
      runtime: "nodejs24.x",
      architecture: "arm64",
      handler: "index.handler",
    });
    expect(LAMBDA_RUNTIME.runtime).toBe(aws.lambda.Runtime.NodeJS24dX);
  });

  it("is the esbuild target of the bundles (node24), read by the build script from the same file", () => {
    // Act
    const target = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(join(ROOT, "scripts", "build-lambda.mjs"))}); process.stdout.write(m.esbuildTargetOf(m.LAMBDA_RUNTIME.runtime))`,
      ],
      { encoding: "utf8" },
    );

    // Assess
    expect(target).toBe("node24");
  });
});

describe("Component: every Lambda the receiver creates", () => {
  it("runs LAMBDA_RUNTIME with Lambda's system lines at INFO and the application level at INFO", async () => {
    // Act
    await build();

    // Assess
    expect(
      functions().map((fn) => ({
        name: fn.name,
        runtime: fn.inputs.runtime,
        architectures: fn.inputs.architectures,
        handler: fn.inputs.handler,
        logLevels: [
          (fn.inputs.loggingConfig as Record<string, unknown>).systemLogLevel,
          (fn.inputs.loggingConfig as Record<string, unknown>).applicationLogLevel,
        ],
      })),
    ).toEqual(
      ["lemon-forwarder", "lemon-receiver", "lemon-reconciler"].map((name) => ({
        name,
        runtime: LAMBDA_RUNTIME.runtime,
        architectures: [LAMBDA_RUNTIME.architecture],
        handler: LAMBDA_RUNTIME.handler,
        logLevels: ["INFO", "INFO"],
      })),
    );
  });

  it("applies logLevel to every function's application logs and never to Lambda's own lines", async () => {
    // Act
    await build({ logLevel: "DEBUG" });

    // Assess
    expect(functions().map((fn) => fn.inputs.loggingConfig)).toEqual(
      ["lemon-forwarder-logs", "lemon-receiver-logs", "lemon-reconciler-logs"].map((group) => ({
        logFormat: "JSON",
        logGroup: `${group}-0a1b2c3`,
        applicationLogLevel: "DEBUG",
        systemLogLevel: "INFO",
      })),
    );
  });

  it.each(["VERBOSE", "WARN", "ERROR"])(
    "rejects logLevel %p before creating anything: above INFO, Lambda would drop the metric lines",
    (level) => {
      // Act
      const act = () =>
        new LemonWebhookReceiver("lemon", {
          events: ["order.executed"],
          lambdaBundleDir: BUNDLE,
          logLevel: level as "INFO",
        });

      // Assess
      expect(act).toThrow(`[logLevel] must be one of TRACE, DEBUG, INFO (got "${level}")`);
      expect(recorded).toEqual([]);
    },
  );
});

describe("Component: the recovery window of every secret", () => {
  it("is 0 by default, so `pulumi destroy` leaves no restorable API key behind", async () => {
    // Act
    await build();

    // Assess
    expect(resource("aws:secretsmanager/secret:Secret", "lemon-api-key").inputs.recoveryWindowInDays).toBe(0);
  });

  it("is secretRecoveryWindowInDays when set", async () => {
    // Act
    await build({ secretRecoveryWindowInDays: 7 });

    // Assess
    expect(resource("aws:secretsmanager/secret:Secret", "lemon-api-key").inputs.recoveryWindowInDays).toBe(7);
  });

  it.each([1, 6, 31, 2.5, -1])(
    "rejects %p days before creating anything, naming the field and the rule",
    (days) => {
      // Act
      const act = () =>
        new LemonWebhookReceiver("lemon", {
          events: ["order.executed"],
          lambdaBundleDir: BUNDLE,
          secretRecoveryWindowInDays: days,
        });

      // Assess
      expect(act).toThrow(
        `[secretRecoveryWindowInDays] must be 0 (delete at once) or a whole number of days from 7 to 30 (got ${days})`,
      );
      expect(recorded).toEqual([]);
    },
  );
});

describe("Component: alarms on a fresh deploy", () => {
  it("treat missing data as no problem (or as missing), so no alarm fires before the first traffic or run", async () => {
    // Act
    await build();

    // Assess
    const alarms = recorded.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.length).toBeGreaterThan(5);
    expect(
      alarms
        .filter((a) => a.inputs.treatMissingData !== "notBreaching")
        .map((a) => [a.name, a.inputs.treatMissingData]),
    ).toEqual([["lemon-reconciler-not-running", "missing"]]);
  });
});

describe("Component: LemonEventReconciler used on its own", () => {
  it("rejects a log retention CloudWatch would refuse, before creating anything", () => {
    // Act
    const act = () =>
      new LemonEventReconciler("lemon", {
        events: ["order.executed"],
        dedupeTableName: "t",
        dedupeTableArn: "arn:aws:dynamodb:eu-central-1:123456789012:table/t",
        apiKey: KNOWN_API_KEY,
        lambdaBundleDir: BUNDLE,
        logRetentionDays: 2,
      });

    // Assess
    expect(act).toThrow(
      "LemonEventReconciler: [logRetentionDays] must be one of CloudWatch's retention values 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2); omit it for 30",
    );
    expect(recorded).toEqual([]);
  });
});
