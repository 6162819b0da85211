import type * as pulumi from "@pulumi/pulumi";
import {
  installMocks,
  KNOWN_API_KEY,
  recorded,
  resource,
  secretInputValue,
  setStackConfig,
  settle,
} from "../../support/pulumi-mocks";

type StackModule = Record<string, pulumi.Output<unknown>>;

beforeAll(async () => {
  // As `pulumi preview` runs the dev stack: events from Pulumi.dev.yaml, the API key set with --secret.
  setStackConfig(
    {
      "aws:region": "eu-central-1",
      "lemon-webhooks:events": JSON.stringify(["order.executed", "account.created"]),
      "lemon-webhooks:apiBaseUrl": "https://sandbox.api.lemon.markets/v1",
      "lemonmarkets:apiKey": KNOWN_API_KEY,
    },
    ["lemonmarkets:apiKey"],
  );
  await installMocks(true);
  (await import("../../../index")) as unknown as StackModule;
  await settle();
});

describe("Program: index.ts turns the reconciler on by default", () => {
  it("creates the reconciler every 15 minutes, reading the sandbox with the config's API key as a secret", () => {
    // Assess
    expect(recorded.filter((r) => r.type === "lemon-webhooks:index:Reconciler").map((r) => r.name)).toEqual([
      "lemon",
    ]);
    expect(resource("aws:scheduler/schedule:Schedule", "lemon-schedule").inputs.scheduleExpression).toBe(
      "rate(15 minutes)",
    );
    const env = (
      resource("aws:lambda/function:Function", "lemon-reconciler").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env.LEMON_API_BASE_URL).toBe("https://sandbox.api.lemon.markets/v1");
    expect(env.LEMON_RECONCILER_EVENT_TYPES).toBe("order.executed,account.created");
    const apiKey = resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value").inputs
      .secretString;
    expect(secretInputValue(apiKey)).toBe(KNOWN_API_KEY);
  });
});
