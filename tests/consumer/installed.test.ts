/**
 * The package as a consumer gets it: `npm pack`'s files installed into a throwaway app, a plain-JavaScript
 * Pulumi program run by plain `node` (no jest module mapping, no ts-node, no TypeScript paths), and
 * `require("lemon-webhooks")` resolved by Node through package.json `exports` to the built `dist/`.
 * jest's globalSetup rebuilds `dist/` whenever a source is newer, so this never runs a stale build.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { USAGE } from "../../cli/args";
import { type InstalledApp, installIntoTempApp, REPO_ROOT } from "../support/install";

const run = promisify(execFile);

/** The consumer's lemon.markets API key, set as the secret stack config `lemonmarkets:apiKey`. */
const CONSUMER_API_KEY = "lm-consumer-api-key-3f9a51c0d2";

interface ProgramResult {
  readonly resolved: string;
  readonly resources: { type: string; name: string }[];
  readonly secretInputs: string[];
  readonly apiKeyInPlaintext: string[];
  readonly lambdaCode: Record<string, string>;
  readonly operations: string[];
  readonly operationsFiles: string[];
  readonly typescriptLoaded: string[];
}

let app: InstalledApp;
let result: ProgramResult;

beforeAll(async () => {
  app = installIntoTempApp();
  fs.copyFileSync(path.join(__dirname, "installed-program.js"), path.join(app.appDir, "index.js"));
  // As `pulumi up` runs a program after `pulumi config set --secret lemonmarkets:apiKey …`.
  const env = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify({ "lemonmarkets:apiKey": CONSUMER_API_KEY }),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(["lemonmarkets:apiKey"]),
  };
  const { stdout } = await run(process.execPath, ["index.js"], { cwd: app.appDir, encoding: "utf8", env });
  result = JSON.parse(stdout) as ProgramResult;
}, 120_000);

afterAll(() => {
  app?.remove();
});

/** Read by this repository's own stack program (index.ts) only: not part of the package. */
const STACK_PROGRAM_ONLY = ["components/stack-config.ts"];

/** TypeScript sources under `dir` of the repository that the package publishes, repository-relative. */
function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `${dir}/${file.split(path.sep).join("/")}`)
    .filter((file) => !STACK_PROGRAM_ONLY.includes(file));
}

/** Top-level group of a published file: `dist/<dir>` or the file/directory itself. */
function group(file: string): string {
  const parts = file.split("/");
  return parts[0] === "dist" ? `dist/${parts[1]}` : (parts[0] as string);
}

describe("Package: lemon-webhooks installed into another project", () => {
  it("publishes the build, the Lambda bundles and the CLI, and no sources, tests or tooling", () => {
    // Assess
    expect([...new Set(app.files.map(group))].sort()).toEqual([
      "README.md",
      "bin",
      "dist/cli",
      "dist/components",
      "dist/lambda",
      "dist/lambda-bundle",
      "package.json",
    ]);
    expect(app.files.filter((file) => group(file) === "dist/lambda-bundle")).toEqual([
      "dist/lambda-bundle/forwarder.sources.json",
      "dist/lambda-bundle/forwarder/index.js",
      "dist/lambda-bundle/receiver.sources.json",
      "dist/lambda-bundle/receiver/index.js",
      "dist/lambda-bundle/reconciler.sources.json",
      "dist/lambda-bundle/reconciler/index.js",
    ]);
    // Every source of the public API and of the CLI is there, compiled, with its declarations.
    for (const dir of ["components", "cli"]) {
      expect(app.files.filter((file) => group(file) === `dist/${dir}`)).toEqual(
        sourcesUnder(dir)
          .flatMap((source) => [
            `dist/${source.replace(/\.ts$/, ".d.ts")}`,
            `dist/${source.replace(/\.ts$/, ".js")}`,
          ])
          .sort(),
      );
    }
    expect(app.files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
    expect(
      app.files.filter((file) => /(^|\/)(tests|sandbox|bench|emulator|local|spec)\//.test(file)),
    ).toEqual([]);
  });

  it("resolves require('lemon-webhooks') through package.json exports to the built entry point", () => {
    // Assess
    expect(result.resolved).toBe(path.join(app.packageDir, "dist", "components", "index.js"));
    expect(result.typescriptLoaded).toEqual([]);
  });

  it("builds exactly the receiver's (forwarder included), the reconciler's and the subscription's resources under mocks", () => {
    // Assess
    const resources = result.resources.map(({ type, name }) => `${type} ${name}`).sort();
    expect(resources).toEqual(
      [
        "aws:apigatewayv2/api:Api shop-api",
        "aws:apigatewayv2/integration:Integration shop-integration",
        "aws:apigatewayv2/route:Route shop-route",
        "aws:apigatewayv2/stage:Stage shop-stage",
        "aws:cloudwatch/eventArchive:EventArchive shop-archive",
        "aws:cloudwatch/eventBus:EventBus shop-bus",
        "aws:cloudwatch/eventRule:EventRule shop-audit-rule",
        "aws:cloudwatch/eventTarget:EventTarget shop-audit-target",
        "aws:cloudwatch/logGroup:LogGroup shop-access-logs",
        "aws:cloudwatch/logGroup:LogGroup shop-forwarder-logs",
        "aws:cloudwatch/logGroup:LogGroup shop-receiver-logs",
        "aws:cloudwatch/logGroup:LogGroup shop-reconciler-logs",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-api-5xx",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-audit-dlq-depth",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-forward-failures-depth",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-forwarder-errors",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-forwarder-iterator-age",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-receiver-errors",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-receiver-throttles",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-errors",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-invalid",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-not-running",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-schedule-failing",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-signature-rejects",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-recovered",
        "aws:cloudwatch/metricAlarm:MetricAlarm shop-reconciler-watermark-gap",
        "aws:dynamodb/table:Table shop-dedupe",
        "aws:iam/role:Role shop-forwarder-role",
        "aws:iam/role:Role shop-receiver-role",
        "aws:iam/role:Role shop-reconciler-role",
        "aws:iam/role:Role shop-schedule-role",
        "aws:iam/rolePolicy:RolePolicy shop-forwarder-policy",
        "aws:iam/rolePolicy:RolePolicy shop-receiver-policy",
        "aws:iam/rolePolicy:RolePolicy shop-reconciler-policy",
        "aws:iam/rolePolicy:RolePolicy shop-schedule-policy",
        "aws:lambda/eventSourceMapping:EventSourceMapping shop-forwarder-stream",
        "aws:lambda/function:Function shop-forwarder",
        "aws:lambda/function:Function shop-receiver",
        "aws:lambda/function:Function shop-reconciler",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig shop-reconciler-invoke-config",
        "aws:lambda/permission:Permission shop-invoke",
        "aws:scheduler/schedule:Schedule shop-schedule",
        "aws:scheduler/scheduleGroup:ScheduleGroup shop-schedules",
        "aws:secretsmanager/secret:Secret shop-api-key",
        "aws:secretsmanager/secret:Secret shop-signature-secret",
        "aws:secretsmanager/secretVersion:SecretVersion shop-api-key-value",
        "aws:secretsmanager/secretVersion:SecretVersion shop-signature-secret-value",
        "aws:sqs/queue:Queue shop-audit-dlq",
        "aws:sqs/queue:Queue shop-forward-failures",
        "aws:sqs/queuePolicy:QueuePolicy shop-audit-dlq-policy",
        "lemon-webhooks:index:Receiver shop",
        "lemon-webhooks:index:Reconciler shop",
        "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration shop-registration",
      ].sort(),
    );
  });

  it("deploys every Lambda from the bundles inside the installed package", () => {
    // Assess
    const bundles = path.join(app.packageDir, "dist", "lambda-bundle");
    expect(result.lambdaCode).toEqual({
      "shop-forwarder": path.join(bundles, "forwarder"),
      "shop-receiver": path.join(bundles, "receiver"),
      "shop-reconciler": path.join(bundles, "reconciler"),
    });
  });

  it("keeps the API key from stack config secret: only in the reconciler's secret version, flagged secret", () => {
    // Assess
    expect(result.apiKeyInPlaintext).toEqual([]);
    expect(result.secretInputs.sort()).toEqual([
      "aws:secretsmanager/secretVersion:SecretVersion shop-api-key-value secretString",
      "aws:secretsmanager/secretVersion:SecretVersion shop-signature-secret-value secretString",
    ]);
  });

  it("loads the registration operations from the installed build, as the provider host does", () => {
    // Assess
    expect(result.operations).toEqual(["check", "configure", "create", "diff", "read", "remove", "update"]);
    expect(result.operationsFiles).toEqual([
      path.join(app.packageDir, "dist", "components", "registration", "operations.js"),
    ]);
  });

  it("runs the installed `lemon-webhooks` bin from the compiled CLI (no sources, no ts-node)", async () => {
    // Act
    const { stdout } = await run(
      process.execPath,
      [path.join(app.packageDir, "bin", "lemon-webhooks.js"), "send-test-event", "--help"],
      { cwd: app.appDir, encoding: "utf8" },
    );

    // Assess
    expect(fs.existsSync(path.join(app.packageDir, "cli"))).toBe(false);
    expect(stdout).toBe(USAGE.endsWith("\n") ? USAGE : `${USAGE}\n`);
  });
});
