/**
 * Taking over an existing webhook under the real engine: dynamic resources cannot be imported
 * (pulumi/pulumi#16175), and `adoptWebhookId`, the documented way instead, adopts it without registering.
 * `pulumi import` itself needs the nodejs language host, which this machine cannot build (its module is not
 * served by the Go module proxy); the `import` resource option goes through the same engine Read.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { createLemonClient } from "../../components/lemon-api";
import {
  API_KEY,
  ENGINE_TIMEOUT_MS,
  type Engine,
  RECEIVER_URL,
  REGISTRATION_TYPE,
  registrationsOnDisk,
  requestLines,
  startEngine,
  stateOnDisk,
} from "../support/engine";

let engine: Engine;
let stack: Stack;
let existing: { id: string; signature_secret: string };

beforeAll(async () => {
  engine = await startEngine();
  stack = await engine.stack("program");
  const client = createLemonClient({ apiKey: API_KEY, baseUrl: engine.emu.baseUrl });
  existing = await client.createWebhook({ url: RECEIVER_URL, events: ["order.executed", "account.created"] });
}, ENGINE_TIMEOUT_MS);

afterAll(async () => {
  await engine?.close();
});

beforeEach(() => {
  engine.emu.requests.length = 0;
});

describe("Taking over an existing webhook, under the real engine", () => {
  it("cannot `pulumi import` here: the command needs the nodejs language host, which cannot be built", async () => {
    // Prepare
    engine.spec = { args: engine.spec.args, empty: true };

    // Act
    const failure = stack.import({
      resources: [{ type: REGISTRATION_TYPE, name: "imported", id: existing.id }],
      generateCode: false,
    });

    // Assess
    await expect(failure).rejects.toThrow(
      "error: failed to load language plugin nodejs: no language plugin 'pulumi-language-nodejs' found in the workspace or on your $PATH",
    );
    expect(engine.emu.requests).toEqual([]);
    expect(stateOnDisk(engine.backendDir)).toEqual([]);
  });

  it("cannot import it with the `import` resource option: the engine reads with no properties at all (pulumi/pulumi#16175)", async () => {
    // Prepare
    engine.spec = {
      args: {
        url: RECEIVER_URL,
        events: ["account.created", "order.executed"],
        apiBaseUrl: engine.emu.baseUrl,
      },
      opts: { import: existing.id },
    };

    // Act
    const failure = stack.up();

    // Assess
    // The engine's ReadRequest for an import carries no properties (not even an empty struct), so Pulumi's
    // provider host fails before it can look for __provider.
    await expect(failure).rejects.toThrow(
      "error: Cannot read properties of undefined (reading 'toJavaScript')",
    );
    expect(engine.emu.requests).toEqual([]);
    expect(engine.emu.webhooks().map((webhook) => webhook.id)).toEqual([existing.id]);
    expect(registrationsOnDisk(engine.backendDir)).toEqual([]);
  });

  it("adopts it with adoptWebhookId on up: no registration, the existing id and secret in state", async () => {
    // Prepare
    engine.spec = {
      args: {
        url: RECEIVER_URL,
        events: ["account.created", "order.executed"],
        apiBaseUrl: engine.emu.baseUrl,
        adoptWebhookId: existing.id,
      },
    };

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    // The stack resource itself was created by the failed import above.
    expect(result.summary.resourceChanges).toEqual({ create: 1, same: 1 });
    expect(steps).toEqual(["pre:create", "outputs:create"]);
    expect(requestLines(engine.emu)).toEqual(["GET /v1/webhooks"]);
    expect(result.outputs.webhookId).toEqual({ value: existing.id, secret: false });
    expect(engine.emu.webhooks().map((webhook) => webhook.id)).toEqual([existing.id]);
    const [registration] = registrationsOnDisk(engine.backendDir);
    expect(registration?.id).toBe(existing.id);
    expect(engine.backendText()).not.toContain(existing.signature_secret);
    const exported = await stack.exportStack(); // decrypts secrets (--show-secrets)
    const decrypted = (
      exported.deployment.resources as { type: string; outputs: Record<string, unknown> }[]
    ).find((resource) => resource.type === REGISTRATION_TYPE);
    expect(decrypted?.outputs.signatureSecret).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      plaintext: JSON.stringify(existing.signature_secret),
    });
  });

  it("keeps the adopted webhook through preview, refresh and the preview after it, and deletes it on destroy", async () => {
    // Act
    const preview = await stack.preview();
    const refresh = await stack.refresh();
    const afterRefresh = await stack.preview();
    const destroy = await stack.destroy();

    // Assess
    expect(preview.changeSummary).toEqual({ same: 2 });
    expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
    // What refresh read back (outputs and inputs) diffs as no change against the program.
    expect(afterRefresh.changeSummary).toEqual({ same: 2 });
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(requestLines(engine.emu)).toEqual(["GET /v1/webhooks", `DELETE /v1/webhooks/${existing.id}`]);
    expect(engine.emu.webhooks()).toEqual([]);
    expect(stateOnDisk(engine.backendDir)).toEqual([]);
  });
});
