/**
 * `lemonmarkets:apiKey` rotated in stack config (the emulator accepts only the new key, the old one is
 * revoked) under the real engine. Without the program, `refresh` and `destroy` configure the provider with
 * the stack config the engine recorded at the last `up` (the inputs of the default pulumi-nodejs provider),
 * so they still send the revoked key; `up`, and `destroy`/`refresh` with `--run-program`, send the new one.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import {
  API_KEY,
  ENGINE_TIMEOUT_MS,
  type Engine,
  RECEIVER_URL,
  registrationsOnDisk,
  requestLines,
  startEngine,
  stateOnDisk,
} from "../support/engine";

const ROTATED_KEY = "lmk_engine_rotated_key_91f04be2";
const SECOND_ROTATION = "lmk_engine_rotated_again_5d27c0aa";
const PLAIN_KEY = "lmk_engine_plain_config_key_60b3e1";

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

/** Registers the webhook with the key configured now; returns its id. */
async function upWithKey(key: string): Promise<string> {
  engine.emu.setApiKeys([key]);
  await stack.setConfig("lemonmarkets:apiKey", { value: key, secret: true });
  await stack.up();
  const [webhook] = engine.emu.webhooks();
  return webhook?.id ?? "";
}

/** Rotates the key: the emulator accepts only `key`, and the stack config holds it. */
async function rotateTo(key: string): Promise<void> {
  engine.emu.setApiKeys([key]);
  await stack.setConfig("lemonmarkets:apiKey", { value: key, secret: true });
  engine.emu.requests.length = 0;
}

/** `[method path, authorized]` of each API request since the last rotation. */
function requests(): [string, boolean][] {
  return engine.emu.requests.map((request) => [`${request.method} ${request.path}`, request.authorized]);
}

describe("API key rotated in stack config, under the real engine", () => {
  it("fails a plain destroy with the revoked key recorded at the last up, saying how to proceed", async () => {
    // Prepare
    const id = await upWithKey(API_KEY);
    await rotateTo(ROTATED_KEY);

    // Act
    const failure = stack.destroy();

    // Assess
    await expect(failure).rejects.toThrow(
      "error: lemon.markets delete_webhook failed: HTTP 401 Unauthorized: missing or invalid API key; send " +
        "Authorization: Bearer <your-api-key> — check lemonmarkets:apiKey — sandbox and production keys are not " +
        "interchangeable. If lemonmarkets:apiKey was rotated since the last `pulumi up`: `pulumi destroy` " +
        "configures the provider with the key recorded at that up, not the one configured now; run `pulumi up` " +
        "first (it changes nothing and records the new key), or `pulumi destroy --run-program`",
    );
    expect(requests()).toEqual([[`DELETE /v1/webhooks/${id}`, false]]);
    expect(engine.emu.webhooks().map((webhook) => webhook.id)).toEqual([id]);
    expect(registrationsOnDisk(engine.backendDir).map((resource) => resource.id)).toEqual([id]);
  });

  it("fails a plain refresh the same way, and refreshes with the new key when it runs the program", async () => {
    // Prepare
    const [webhook] = engine.emu.webhooks();
    engine.emu.requests.length = 0;

    // Act
    const plain = stack.refresh();
    await expect(plain).rejects.toThrow(
      "configures the provider with the key recorded at that up, not the one configured now; run `pulumi up` " +
        "first (it changes nothing and records the new key), or `pulumi refresh --run-program`",
    );
    const withProgram = await stack.refresh({ runProgram: true });

    // Assess
    expect(withProgram.summary.resourceChanges).toEqual({ same: 2 });
    expect(requests()).toEqual([
      ["GET /v1/webhooks", false],
      ["GET /v1/webhooks", true],
    ]);
    expect(engine.emu.webhooks().map((each) => each.id)).toEqual([webhook?.id]);
  });

  it("destroys with the new key when destroy runs the program: nothing left at lemon.markets", async () => {
    // Prepare
    const [webhook] = engine.emu.webhooks();
    engine.emu.requests.length = 0;

    // Act
    const result = await stack.destroy({ runProgram: true });

    // Assess
    // The program's resources are counted once as registered ("same") and once as deleted.
    expect(result.summary.resourceChanges).toEqual({ delete: 2, same: 2 });
    expect(requests()).toEqual([[`DELETE /v1/webhooks/${webhook?.id}`, true]]);
    expect(engine.emu.webhooks()).toEqual([]);
    expect(stateOnDisk(engine.backendDir)).toEqual([]);
  });

  it("records the new key on an up that changes nothing, after which a plain destroy succeeds", async () => {
    // Prepare
    const id = await upWithKey(ROTATED_KEY);
    await rotateTo(SECOND_ROTATION);

    // Act
    const up = await stack.up();
    const destroy = await stack.destroy();

    // Assess
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(requests()).toEqual([[`DELETE /v1/webhooks/${id}`, true]]);
    expect(requestLines(engine.emu)).toEqual([`DELETE /v1/webhooks/${id}`]);
    expect(engine.emu.webhooks()).toEqual([]);
    expect(engine.backendText()).not.toContain(SECOND_ROTATION);
  });

  it("records a key set without --secret in plaintext in state, which is why the docs insist on --secret", async () => {
    // Prepare
    engine.emu.setApiKeys([PLAIN_KEY]);
    await stack.setConfig("lemonmarkets:apiKey", { value: PLAIN_KEY, secret: false });

    // Act
    await stack.up();
    const recorded = stateOnDisk(engine.backendDir).find(
      (resource) => resource.type === "pulumi:providers:pulumi-nodejs",
    );
    await stack.destroy();

    // Assess
    expect(recorded?.inputs).toEqual({ "lemonmarkets:apiKey": PLAIN_KEY });
    expect(engine.emu.webhooks()).toEqual([]);
  });
});
