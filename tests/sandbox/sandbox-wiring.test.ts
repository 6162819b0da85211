import { ENV_NAMES } from "../../contract/env-names";
import { FORWARDER_ENV_NAMES } from "../../contract/events-table";
import {
  type Sandbox,
  SandboxError,
  type SandboxProgress,
  settleDeliveries,
  startSandbox,
} from "../../sandbox";

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: "GET", signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

describe("Function: startSandbox", () => {
  let sandbox: Sandbox | undefined;

  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it("gives the Lambdas only names, ARNs and local endpoints: no API key, no signature secret, no bus for the receiver", async () => {
    // Act
    sandbox = await startSandbox();
    const secret = sandbox.registration()!.outputs.signatureSecret;

    // Assess
    expect(Object.keys(sandbox.lambda.environment).sort()).toEqual(
      [
        "AWS_ACCESS_KEY_ID",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        ENV_NAMES.dedupeTable,
        ENV_NAMES.secretArn,
      ].sort(),
    );
    expect(Object.keys(sandbox.forwarder.environment).sort()).toEqual(
      [
        "AWS_ACCESS_KEY_ID",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        FORWARDER_ENV_NAMES.eventBusName,
        FORWARDER_ENV_NAMES.table,
      ].sort(),
    );
    expect(sandbox.forwarder.environment.AWS_ENDPOINT_URL_DYNAMODB).toBe(sandbox.dynamo.endpoint);
    expect(sandbox.lambda.environment[ENV_NAMES.secretArn]).toBe(sandbox.secretsManager.arn);
    expect(sandbox.lambda.environment.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe(sandbox.secretsManager.endpoint);
    const values = [
      ...Object.values(sandbox.lambda.environment),
      ...Object.values(sandbox.forwarder.environment),
    ].join("\n");
    expect(values.includes(secret)).toBe(false);
    expect(values.includes(sandbox.apiKey)).toBe(false);
  });

  it("stores and forwards an emitted event once although the emulator delivers it twice", async () => {
    // Prepare
    sandbox = await startSandbox({ events: ["order.executed"] });
    const account = "cusa_33531f7f801d4ce997747470ab7208fd";

    // Act
    const event = sandbox.emulator.emit("order.executed", { account });
    const report = await settleDeliveries(sandbox, ["order.executed"]);

    // Assess
    expect(report.problems).toEqual([]);
    expect(report.forwarded).toEqual([
      {
        id: event.id,
        type: "order.executed",
        createdAt: event.created_at,
        context: { account },
        detailType: "order.executed",
        source: "lemon.markets",
        eventBusName: "lemon-webhooks-sandbox",
      },
    ]);
    expect(report.outcomes.map((o) => [o.attempt.duplicate, o.attempt.status, o.receiver?.outcome])).toEqual([
      [false, 200, "stored"],
      [true, 200, "duplicate"],
    ]);
    expect(report.duplicates).toBe(1);
    expect(sandbox.stream.records.map((r) => r.eventName)).toEqual(["INSERT"]);
  });

  it("answers 200 although EventBridge fails once: the stream retries the forwarder, still exactly once on the bus", async () => {
    // Prepare
    sandbox = await startSandbox({ delivery: { baseDelayMs: 20 } });
    sandbox.eventBridge.failNext(1, "unavailable");

    // Act
    const event = sandbox.emulator.emit("account.created", {
      account: "cusa_33531f7f801d4ce997747470ab7208fd",
    });
    const report = await settleDeliveries(sandbox, ["account.created"]);

    // Assess
    expect(report.problems).toEqual([]);
    expect(report.forwarded.map((entry) => entry.id)).toEqual([event.id]);
    expect(
      report.outcomes.map((o) => [
        o.attempt.duplicate,
        o.attempt.attempt,
        o.attempt.status,
        o.receiver?.outcome,
      ]),
    ).toEqual([
      [false, 1, 200, "stored"],
      [true, 1, 200, "duplicate"],
    ]);
    expect(sandbox.stream.invocations()).toBe(2);
    expect(sandbox.eventBridge.putEventsCalls).toBe(2);
    expect(sandbox.stream.failures).toEqual([]);
  });

  it("reports the problem when deliveries never verify, instead of claiming success", async () => {
    // Prepare
    sandbox = await startSandbox({ delivery: { maxAttempts: 2, baseDelayMs: 10 } });
    // Rotated twice to other values: the registered secret is neither AWSCURRENT nor AWSPREVIOUS any more.
    sandbox.secretsManager.putSecretValue("0".repeat(64));
    sandbox.secretsManager.putSecretValue("1".repeat(64));

    // Act
    const event = sandbox.emulator.emit("account.created", {
      account: "cusa_33531f7f801d4ce997747470ab7208fd",
    });
    const report = await settleDeliveries(sandbox, ["account.created"]);

    // Assess
    expect(report.forwarded).toEqual([]);
    expect(report.problems).toEqual([
      `account.created ${event.id} reached EventBridge 0 times instead of once`,
      `account.created ${event.id} was never acknowledged with 200`,
    ]);
    expect(
      new Set(
        report.outcomes.map((o) => `${o.attempt.status} ${o.receiver?.outcome} ${o.receiver?.rejectReason}`),
      ),
    ).toEqual(new Set(["401 rejected signature"]));
    expect(report.outcomes).toHaveLength(4);
  });

  it("unregisters through the provider and closes every server on stop", async () => {
    // Prepare
    const started = await startSandbox();
    const webhookId = started.registration()!.webhookId;
    const urls = [
      started.emulator.baseUrl,
      started.receiverUrl,
      started.secretsManager.endpoint,
      started.dynamo.endpoint,
      started.eventBridge.endpoint,
    ];

    // Act
    const { errors } = await started.stop();

    // Assess
    expect(errors).toEqual([]);
    expect(started.registration()).toBeUndefined();
    expect(started.emulator.webhooks()).toEqual([]);
    const deletes = started.emulator.requests.filter((request) => request.method === "DELETE");
    expect(deletes.map((request) => request.path)).toEqual([`/v1/webhooks/${webhookId}`]);
    expect(await Promise.all(urls.map(refused))).toEqual([true, true, true, true, true]);
  });

  it("fails with a SandboxError naming the Lambda step and leaves nothing listening when the bundle is broken", async () => {
    // Prepare
    const progress: SandboxProgress[] = [];

    // Act
    const failure = await startSandbox({
      bundlePath: "/nonexistent/receiver/index.js",
      onProgress: (step) => progress.push(step),
    }).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SandboxError);
    expect((failure as SandboxError).step).toBe("starting the receiver Lambda");
    expect((failure as SandboxError).problem).toContain(
      "Cannot find module '/nonexistent/receiver/index.js'",
    );
    expect(progress.map((step) => step.step)).toEqual(["emulator"]);
    const [emulatorStarted] = progress;
    expect(await refused((emulatorStarted as { baseUrl: string }).baseUrl)).toBe(true);
  });
});
