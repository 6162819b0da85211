import * as pulumi from "@pulumi/pulumi";
import {
  LemonEventReconciler,
  type LemonEventReconcilerArgs,
  ReconcilerArgsError,
} from "../../../components/reconciler";
import {
  ACCOUNT,
  fakeBundleDir,
  installMocks,
  invokes,
  isSecretInput,
  KNOWN_API_KEY,
  physicalName,
  promiseOf,
  REGION,
  recorded,
  resetRecords,
  resource,
  secretInputValue,
  settle,
  withoutSecrets,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/lemon-dedupe-0a1b2c3`;
const API_KEY_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physicalName("lemon-api-key")}-AbCdEf`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physicalName("lemon-reconciler")}`;
const OPS = "arn:aws:sns:eu-central-1:123456789012:ops";
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-reconciler-logs")}`;

beforeAll(async () => {
  await installMocks();
});

beforeEach(() => {
  resetRecords();
});

async function build(args: Partial<LemonEventReconcilerArgs> = {}) {
  const reconciler = new LemonEventReconciler("lemon", {
    events: ["order.executed", "account.created"],
    dedupeTableName: "lemon-dedupe-0a1b2c3",
    dedupeTableArn: TABLE_ARN,
    apiKey: KNOWN_API_KEY,
    lambdaBundleDir: BUNDLE,
    ...args,
  });
  await settle();
  return reconciler;
}

function policyOf(name: string): { Statement: Array<{ Sid: string; Action: string[]; Resource: string }> } {
  return JSON.parse(resource("aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string);
}

describe("Component: LemonEventReconciler", () => {
  it("creates exactly the reconciler's resources, named after the component", async () => {
    // Act
    await build();

    // Assess
    expect(recorded.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "lemon-webhooks:index:Reconciler lemon",
        "aws:secretsmanager/secret:Secret lemon-api-key",
        "aws:secretsmanager/secretVersion:SecretVersion lemon-api-key-value",
        "aws:cloudwatch/logGroup:LogGroup lemon-reconciler-logs",
        "aws:iam/role:Role lemon-reconciler-role",
        "aws:iam/rolePolicy:RolePolicy lemon-reconciler-policy",
        "aws:lambda/function:Function lemon-reconciler",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig lemon-reconciler-invoke-config",
        "aws:iam/role:Role lemon-schedule-role",
        "aws:iam/rolePolicy:RolePolicy lemon-schedule-policy",
        "aws:scheduler/schedule:Schedule lemon-schedule",
        "aws:scheduler/scheduleGroup:ScheduleGroup lemon-schedules",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-recovered",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-errors",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-invalid",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-watermark-gap",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-not-running",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-reconciler-schedule-failing",
      ].sort(),
    );
    expect(invokes).toEqual([]);
  });

  it("runs every 15 minutes by default and at the configured interval otherwise", async () => {
    // Act
    await build();
    const byDefault = resource("aws:scheduler/schedule:Schedule", "lemon-schedule").inputs;
    resetRecords();
    await build({ intervalMinutes: 1 });
    const everyMinute = resource("aws:scheduler/schedule:Schedule", "lemon-schedule").inputs;

    // Assess
    expect(byDefault.scheduleExpression).toBe("rate(15 minutes)");
    expect(byDefault.flexibleTimeWindow).toEqual({ mode: "OFF" });
    expect(byDefault.target).toEqual({
      arn: FUNCTION_ARN,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${physicalName("lemon-schedule-role")}`,
      input: "{}",
      retryPolicy: { maximumRetryAttempts: 0 },
    });
    expect(everyMinute.scheduleExpression).toBe("rate(1 minute)");
    expect(
      resource(
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "lemon-reconciler-invoke-config",
      ).inputs,
    ).toEqual({ functionName: physicalName("lemon-reconciler"), maximumRetryAttempts: 0 });
  });

  it("lets the schedule's role invoke the reconciler function and nothing else, assumed only for schedules of the table's account", async () => {
    // Act
    await build();

    // Assess
    expect(policyOf("lemon-schedule-policy").Statement).toEqual([
      { Sid: "InvokeReconciler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: FUNCTION_ARN },
    ]);
    expect(
      JSON.parse(resource("aws:iam/role:Role", "lemon-schedule-role").inputs.assumeRolePolicy as string),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
      ],
    });
    // The account comes from the table's ARN, not from a getCallerIdentity invoke.
    expect(invokes).toEqual([]);
  });

  it("takes the trust policy's account from the table ARN it is given", async () => {
    // Act
    await build({ dedupeTableArn: "arn:aws:dynamodb:eu-west-1:210987654321:table/other" });

    // Assess
    const trust = JSON.parse(
      resource("aws:iam/role:Role", "lemon-schedule-role").inputs.assumeRolePolicy as string,
    );
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": "210987654321" } });
  });

  it("rejects a table ARN without an account before creating anything", () => {
    // Act
    const act = () =>
      new LemonEventReconciler("lemon", {
        events: ["order.executed"],
        dedupeTableName: "t",
        dedupeTableArn: "lemon-dedupe-0a1b2c3",
        apiKey: KNOWN_API_KEY,
        lambdaBundleDir: BUNDLE,
      });

    // Assess
    expect(act).toThrow(
      'LemonEventReconciler: [dedupeTableArn] "lemon-dedupe-0a1b2c3" has no 12-digit account id; pass the table\'s full ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)',
    );
    expect(recorded).toEqual([]);
  });

  it("scopes each statement of the reconciler's policy to the one ARN it needs, with no PutEvents and no DeleteItem", async () => {
    // Act
    await build();

    // Assess
    expect(policyOf("lemon-reconciler-policy").Statement).toEqual([
      {
        Sid: "ReadApiKey",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: API_KEY_SECRET_ARN,
      },
      {
        // Stores only: the table's stream and the receiver's forwarder take what it stores to the bus.
        Sid: "StoreEventsAndWatermark",
        Effect: "Allow",
        Action: ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
        Resource: TABLE_ARN,
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${LOG_GROUP_ARN}:*`,
      },
    ]);
  });

  it("grants the API key secret to the reconciler's role alone", async () => {
    // Act
    await build();

    // Assess
    const mentioning = recorded
      .filter((r) => JSON.stringify(withoutSecrets(r.inputs)).includes(API_KEY_SECRET_ARN))
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    expect(mentioning).toEqual([
      "aws:iam/rolePolicy:RolePolicy lemon-reconciler-policy",
      "aws:lambda/function:Function lemon-reconciler",
    ]);
  });

  it("stores the API key as a secret and never in plaintext anywhere else", async () => {
    // Act
    await build();

    // Assess
    const version = resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value").inputs;
    expect(isSecretInput(version.secretString)).toBe(true);
    expect(secretInputValue(version.secretString)).toBe(KNOWN_API_KEY);
    expect(JSON.stringify(recorded.map((r) => withoutSecrets(r.inputs)))).not.toContain(KNOWN_API_KEY);
  });

  it("reads the API key from the lemonmarkets:apiKey config secret when none is passed", async () => {
    // Prepare
    pulumi.runtime.setAllConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);

    // Act
    await build({ apiKey: undefined });

    // Assess
    const version = resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value").inputs;
    expect(isSecretInput(version.secretString)).toBe(true);
    expect(secretInputValue(version.secretString)).toBe(KNOWN_API_KEY);
  });

  it("gives the Lambda names, ARNs and numbers only, with the subscribed types", async () => {
    // Act
    await build({ overlapSeconds: 300, apiBaseUrl: "https://api.lemon.markets/v1" });

    // Assess
    const fn = resource("aws:lambda/function:Function", "lemon-reconciler").inputs;
    expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({
      LEMON_RECONCILER_API_KEY_SECRET_ARN: API_KEY_SECRET_ARN,
      LEMON_DEDUPE_TABLE: "lemon-dedupe-0a1b2c3",
      LEMON_RECONCILER_EVENT_TYPES: "order.executed,account.created",
      LEMON_RECONCILER_OVERLAP_SECONDS: "300",
      // One 15-minute interval plus the 300 s overlap: only what the new stack could have received.
      LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS: "1200",
      LEMON_RECONCILER_SETTLE_SECONDS: "300",
      LEMON_DEDUPE_TTL_SECONDS: "604800",
      LEMON_API_BASE_URL: "https://api.lemon.markets/v1",
    });
    expect(fn.timeout).toBe(300);
    expect(fn.handler).toBe("index.handler");
    expect(fn.role).toBe(`arn:aws:iam::${ACCOUNT}:role/${physicalName("lemon-reconciler-role")}`);
  });

  it("alarms when any event was recovered and when a run fails", async () => {
    // Act
    const reconciler = await build({ alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:ops" });

    // Assess
    const recovered = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-reconciler-recovered").inputs;
    expect(recovered).toMatchObject({
      namespace: "LemonWebhooks",
      metricName: "Recovered",
      statistic: "Sum",
      dimensions: { Service: "lemon-webhooks-reconciler", FunctionName: physicalName("lemon-reconciler") },
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: ["arn:aws:sns:eu-central-1:123456789012:ops"],
    });
    const errors = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-reconciler-errors").inputs;
    expect(errors).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: physicalName("lemon-reconciler") },
    });
    expect(await promiseOf(reconciler.functionName)).toBe(physicalName("lemon-reconciler"));
  });

  it("reads further back on its first run only when initialLookbackSeconds asks for it, and takes settleSeconds", async () => {
    // Act
    await build({ initialLookbackSeconds: 86_400, settleSeconds: 120 });

    // Assess
    const fn = resource("aws:lambda/function:Function", "lemon-reconciler").inputs;
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    expect(env.LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS).toBe("86400");
    expect(env.LEMON_RECONCILER_SETTLE_SECONDS).toBe("120");
  });

  it("alarms on invalid events, a skipped window, a stopped schedule and a failing one, never on a fresh deploy", async () => {
    // Act
    const reconciler = await build({ alarmTopicArn: OPS, intervalMinutes: 10 });

    // Assess
    const own = { Service: "lemon-webhooks-reconciler", FunctionName: physicalName("lemon-reconciler") };
    const alarm = (name: string) => resource("aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs;
    expect(alarm("lemon-reconciler-invalid")).toMatchObject({
      namespace: "LemonWebhooks",
      metricName: "Invalid",
      statistic: "Sum",
      dimensions: own,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: [OPS],
    });
    expect(alarm("lemon-reconciler-watermark-gap")).toMatchObject({
      namespace: "LemonWebhooks",
      metricName: "WatermarkGapSeconds",
      statistic: "Maximum",
      dimensions: own,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: [OPS],
    });
    const group = { ScheduleGroup: physicalName("lemon-schedules") };
    expect(resource("aws:scheduler/schedule:Schedule", "lemon-schedule").inputs.groupName).toBe(
      group.ScheduleGroup,
    );
    // Counted per schedule group (stable across function replacements) and "missing", not "breaching": a
    // fresh deploy has no datapoint before the first run and must not alarm; a schedule that stops makes the
    // alarm INSUFFICIENT_DATA, which notifies.
    expect(alarm("lemon-reconciler-not-running")).toEqual({
      alarmDescription:
        "The reconciler's schedule made no invocation attempt for twice its interval (shown as INSUFFICIENT_DATA after it had data): check that its EventBridge Scheduler schedule exists and is enabled",
      namespace: "AWS/Scheduler",
      metricName: "InvocationAttemptCount",
      dimensions: group,
      statistic: "Sum",
      period: 1200,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "missing",
      alarmActions: [OPS],
      okActions: [OPS],
      insufficientDataActions: [OPS],
      tags: {},
    });
    expect(alarm("lemon-reconciler-schedule-failing")).toEqual({
      alarmDescription:
        "EventBridge Scheduler could not invoke the reconciler (check the schedule role's lambda:InvokeFunction permission and that the function exists)",
      namespace: "AWS/Scheduler",
      metricName: "TargetErrorCount",
      dimensions: group,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [OPS],
      okActions: [OPS],
      tags: {},
    });
    expect(await promiseOf(reconciler.notRunningAlarmName)).toBe(
      physicalName("lemon-reconciler-not-running"),
    );
  });

  it("refuses to deploy without its bundle, before creating anything", () => {
    // Act
    const act = () =>
      new LemonEventReconciler("lemon", {
        events: ["order.executed"],
        dedupeTableName: "t",
        dedupeTableArn: TABLE_ARN,
        apiKey: KNOWN_API_KEY,
        lambdaBundleDir: "/nonexistent/reconciler",
      });

    // Assess
    expect(act).toThrow(
      'The reconciler Lambda bundle /nonexistent/reconciler/index.js does not exist: run "npm run build:lambda" first',
    );
    expect(recorded).toEqual([]);
  });

  it("rejects bad arguments before creating anything, naming every field", () => {
    // Act
    const act = () =>
      new LemonEventReconciler("lemon", {
        events: [],
        dedupeTableName: "t",
        dedupeTableArn: TABLE_ARN,
        intervalMinutes: 0,
        overlapSeconds: 700_000,
        settleSeconds: -1,
        lambdaBundleDir: BUNDLE,
      });

    // Assess
    expect(act).toThrow(ReconcilerArgsError);
    expect(act).toThrow(
      'LemonEventReconciler: [events] must list at least one event type, e.g. ["order.executed"]; [intervalMinutes] must be a whole number from 1 to 1440 (got 0); omit it for 15; [overlapSeconds] must be a whole number from 0 to 86400 (got 700000); omit it for 600; [settleSeconds] must be a whole number from 0 to 3600 (got -1); omit it for 300',
    );
    expect(recorded).toEqual([]);
  });
});
