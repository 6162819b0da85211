/**
 * A lost create response under the real engine: lemon.markets registers the webhook, then the connection
 * drops before the answer. The provider lists again and adopts it, so `up` succeeds with exactly one webhook.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import {
  ENGINE_TIMEOUT_MS,
  type Engine,
  RECEIVER_URL,
  registrationsOnDisk,
  requestLines,
  startEngine,
} from "../support/engine";

let engine: Engine;
let stack: Stack;

beforeAll(async () => {
  engine = await startEngine();
  engine.spec.args = { url: RECEIVER_URL, events: ["account.created"], apiBaseUrl: engine.emu.baseUrl };
  stack = await engine.stack("program");
}, ENGINE_TIMEOUT_MS);

afterAll(async () => {
  await engine?.close();
});

describe("Lost create response, under the real engine", () => {
  it("registers exactly one webhook when lemon.markets commits and then drops the connection", async () => {
    // Prepare
    engine.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.up({ onEvent }));
    const preview = await stack.preview();

    // Assess
    expect(result.summary.resourceChanges).toEqual({ create: 2 });
    expect(steps).toEqual(["pre:create", "outputs:create"]);
    expect(requestLines(engine.emu)).toEqual(["GET /v1/webhooks", "POST /v1/webhooks", "GET /v1/webhooks"]);
    const [webhook, ...others] = engine.emu.webhooks();
    expect(others).toEqual([]);
    expect(result.outputs.webhookId).toEqual({ value: webhook?.id, secret: false });
    expect(registrationsOnDisk(engine.backendDir).map((resource) => resource.id)).toEqual([webhook?.id]);
    expect(preview.changeSummary).toEqual({ same: 2 });
  });
});
