import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type DelayProxy,
  type FakeSecretsManager,
  type LocalDynamo,
  localReceiverEnv,
  startDelayProxy,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../local";
import { signedApiGatewayEvent } from "../support/apigw";
import { eventBody, SECRET } from "../support/events";

const run = promisify(execFile);
const BUNDLE = join(__dirname, "..", "..", "dist", "lambda-bundle", "receiver", "index.js");
/** The Lambda timeout the fake context simulates. */
const TIMEOUT_MS = 1_500;
/** Generous bound on building the receiver (reading the environment) in the first invocation. */
const COLD_BUILD_ALLOWANCE_MS = 100;

/**
 * Runs the bundle's handler in a fresh node process with a context whose invocation ends `timeoutMs` after the
 * handler is called (what Lambda passes as the second argument); returns the result and the log lines.
 */
async function invokeWithContext(event: object, env: Record<string, string>, timeoutMs: number) {
  // The invocation starts when the handler is called, after the bundle is loaded (as in Lambda).
  const script = `const { handler } = require(${JSON.stringify(BUNDLE)});
    const end = Date.now() + Number(process.argv[2]);
    handler(JSON.parse(process.argv[1]), { getRemainingTimeInMillis: () => end - Date.now() })
      .then((r) => process.stderr.write(JSON.stringify(r)))`;
  const { stdout, stderr } = await run(
    process.execPath,
    ["-e", script, JSON.stringify(event), String(timeoutMs)],
    {
      env: { PATH: process.env.PATH ?? "", ...env },
    },
  );
  const lines = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { result: JSON.parse(stderr) as { statusCode: number; body: string }, lines };
}

describe("The built Lambda bundle — the context's deadline", () => {
  let sm: FakeSecretsManager;
  let dynamo: LocalDynamo;
  let slowTable: DelayProxy;
  beforeAll(async () => {
    [sm, dynamo] = await Promise.all([
      startFakeSecretsManager({
        versions: [{ secret: SECRET, createdAt: new Date("2026-01-01T00:00:00Z") }],
      }),
      startLocalDynamo(),
    ]);
    slowTable = await startDelayProxy({ target: dynamo.endpoint, delayMs: 30_000 });
  });
  afterAll(async () => {
    await slowTable.close();
    await Promise.all([sm.close(), dynamo.close()]);
  });

  it("stops at the context's remaining time minus the margin and answers 503 instead of being killed", async () => {
    // Prepare
    const env = {
      ...localReceiverEnv({ secretsManager: sm, dynamo }),
      AWS_ENDPOINT_URL_DYNAMODB: slowTable.endpoint,
    };

    // Act
    const { result, lines } = await invokeWithContext(
      signedApiGatewayEvent(eventBody("evt_bundle_deadline"), "req-bundle-deadline"),
      env,
      TIMEOUT_MS,
    );

    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.body).toBe('{"error":"temporarily_unavailable"}');
    const delivery = lines.find((line) => line.msg === "delivery");
    expect(delivery).toMatchObject({
      status: 503,
      outcome: "unavailable",
      dependency: "dynamodb",
      errorCode: "deadline",
      eventId: "evt_bundle_deadline",
    });
    // From the context (1500 − 500 ms of work), not the 8 s fallback (7500 ms). The cold start reads the
    // config before the context, so up to COLD_BUILD_ALLOWANCE_MS of the budget is gone when the core starts.
    expect(delivery?.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 500 - COLD_BUILD_ALLOWANCE_MS);
    expect(delivery?.latencyMs).toBeLessThan(TIMEOUT_MS);
    expect(delivery).not.toHaveProperty("note");
    expect(await dynamo.getItem("evt_bundle_deadline")).toBeUndefined();
  });
});
