import type * as pulumi from "@pulumi/pulumi";
import { RECEIVER_DEFAULTS } from "../../../components/receiver/args";
import { RECONCILER_DEFAULTS } from "../../../components/reconciler/args";
import {
  installMocks,
  KNOWN_API_KEY,
  promiseOf,
  recorded,
  resource,
  setStackConfig,
  settle,
  withoutSecrets,
} from "../../support/pulumi-mocks";
import { cliConfig, devStack, project } from "../../support/stack-program";

type StackModule = Record<string, pulumi.Output<unknown>>;
let stack: StackModule;

beforeAll(async () => {
  // As `pulumi preview` would run it for the dev stack, with the API key set by `pulumi config set --secret`.
  setStackConfig({ ...cliConfig(), "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
  await installMocks(true);
  stack = (await import("../../../index")) as unknown as StackModule;
  await settle();
});

describe("Program: index.ts with Pulumi.dev.yaml", () => {
  it("is the project's main program", () => {
    expect([project.name, project.main]).toEqual(["lemon-webhooks", "index.ts"]);
  });

  it("declares config defaults equal to the component's defaults", () => {
    expect({
      routePath: project.config.routePath?.default,
      throttleRateLimit: project.config.throttleRateLimit?.default,
      throttleBurstLimit: project.config.throttleBurstLimit?.default,
      memorySize: project.config.memorySize?.default,
      timeoutSeconds: project.config.timeoutSeconds?.default,
      logRetentionDays: project.config.logRetentionDays?.default,
      archiveRetentionDays: project.config.archiveRetentionDays?.default,
      logLevel: project.config.logLevel?.default,
      secretRecoveryWindowInDays: project.config.secretRecoveryWindowInDays?.default,
      reconciler: project.config.reconciler?.default,
      reconcilerIntervalMinutes: project.config.reconcilerIntervalMinutes?.default,
      reconcilerOverlapSeconds: project.config.reconcilerOverlapSeconds?.default,
      reconcilerSettleSeconds: project.config.reconcilerSettleSeconds?.default,
    }).toEqual({
      routePath: RECEIVER_DEFAULTS.routePath,
      throttleRateLimit: RECEIVER_DEFAULTS.throttling.rateLimit,
      throttleBurstLimit: RECEIVER_DEFAULTS.throttling.burstLimit,
      memorySize: RECEIVER_DEFAULTS.memorySize,
      timeoutSeconds: RECEIVER_DEFAULTS.timeoutSeconds,
      logRetentionDays: RECEIVER_DEFAULTS.logRetentionDays,
      archiveRetentionDays: RECEIVER_DEFAULTS.archiveRetentionDays,
      logLevel: RECEIVER_DEFAULTS.logLevel,
      secretRecoveryWindowInDays: RECEIVER_DEFAULTS.secretRecoveryWindowInDays,
      reconciler: true,
      reconcilerIntervalMinutes: RECONCILER_DEFAULTS.intervalMinutes,
      reconcilerOverlapSeconds: RECONCILER_DEFAULTS.overlapSeconds,
      reconcilerSettleSeconds: RECONCILER_DEFAULTS.settleSeconds,
    });
  });

  it("keeps secrets out of the dev stack file and targets eu-central-1 and the sandbox", () => {
    expect(devStack.config).toEqual({
      "aws:region": "eu-central-1",
      "lemon-webhooks:apiBaseUrl": "https://sandbox.api.lemon.markets/v1",
      "lemon-webhooks:events": [
        "account.created",
        "account.opened",
        "order.accepted",
        "order.executed",
        "order.rejected",
        "order.canceled",
      ],
    });
  });

  it("registers the configured events with the sandbox at the receiver's URL", async () => {
    // Assess
    const { __provider, ...inputs } = resource(
      "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration",
      "lemon-registration",
    ).inputs;
    expect(inputs).toEqual({
      url: "https://lemon-api-id.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets",
      events: devStack.config["lemon-webhooks:events"],
      apiBaseUrl: "https://sandbox.api.lemon.markets/v1",
    });
    expect(await promiseOf(stack.endpointUrl as pulumi.Output<string>)).toBe(inputs.url);
  });

  it("applies the project defaults to the receiver", () => {
    // Assess
    const fn = resource("aws:lambda/function:Function", "lemon-receiver").inputs;
    expect([fn.memorySize, fn.timeout]).toEqual([256, 8]);
    expect(resource("aws:apigatewayv2/stage:Stage", "lemon-stage").inputs.defaultRouteSettings).toEqual({
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
    });
  });

  it("exports the receiver's outputs and nothing secret", async () => {
    // Assess
    expect(Object.keys(stack).sort()).toEqual(
      [
        "alarmNames",
        "alarmTopicArn",
        "apiId",
        "archiveName",
        "dashboardUrl",
        "deadLetterQueueUrls",
        "dedupeTableName",
        "endpointUrl",
        "events",
        "eventBusArn",
        "eventBusName",
        "forwardFailureQueueUrl",
        "forwarderFunctionName",
        "functionName",
        "reconcilerFunctionName",
        "secretArn",
        "signatureScheme",
        "subscriptions",
        "webhookId",
      ].sort(),
    );
    const values = await Promise.all(Object.values(stack).map((output) => promiseOf(output)));
    expect(values.filter((value) => JSON.stringify(value ?? null).includes(KNOWN_API_KEY))).toEqual([]);
    expect(JSON.stringify(recorded.map((r) => withoutSecrets(r.inputs)))).not.toContain(KNOWN_API_KEY);
  });
});
