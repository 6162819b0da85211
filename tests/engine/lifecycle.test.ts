/**
 * The registration lifecycle under the real Pulumi engine: the `pulumi` CLI built from its Go modules runs an
 * inline program made of one WebhookRegistration against the emulator, with a file backend. One stack goes
 * through preview, up, no-op previews, replacements in both orders, an out-of-band deletion and destroy.
 * The tests run in order and share the stack: each starts from the state the previous one left.
 */
import os from "node:os";
import path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import {
  API_KEY,
  ENGINE_TIMEOUT_MS,
  type Engine,
  RECEIVER_URL,
  REGISTRATION_TYPE,
  registrationsOnDisk,
  requestLines,
  SECRET_SIG,
  SECRET_SIG_VALUE,
  startEngine,
  stateOnDisk,
} from "../support/engine";

let engine: Engine;
let stack: Stack;

beforeAll(async () => {
  engine = await startEngine();
  engine.spec.args = {
    url: RECEIVER_URL,
    events: ["order.executed", "account.created"],
    apiBaseUrl: engine.emu.baseUrl,
  };
  stack = await engine.stack("program");
}, ENGINE_TIMEOUT_MS);

afterAll(async () => {
  await engine?.close();
});

beforeEach(() => {
  engine.emu.requests.length = 0;
});

/** The webhooks at the emulator as `[id, url, events]`. */
function webhooks(): [string, string, readonly string[]][] {
  return engine.emu.webhooks().map((webhook) => [webhook.id, webhook.url, webhook.events]);
}

describe("WebhookRegistration under the real Pulumi engine", () => {
  it("previews a new stack whose url is still unknown without an error or an API call", async () => {
    // Prepare
    engine.spec.unknownUrl = true;

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.preview({ onEvent }));
    engine.spec.unknownUrl = false;

    // Assess
    expect(result.changeSummary).toEqual({ create: 2 });
    expect(steps).toEqual(["pre:create", "outputs:create"]);
    expect(result.stdout).toContain("webhookId: [unknown]");
    expect(engine.emu.requests).toEqual([]);
    expect(webhooks()).toEqual([]);
  });

  it("registers exactly one webhook on up, with signatureSecret and the API key only as ciphertext on disk", async () => {
    // Act
    const { result, steps } = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    expect(result.summary.resourceChanges).toEqual({ create: 2 });
    expect(steps).toEqual(["pre:create", "outputs:create"]);
    expect(requestLines(engine.emu)).toEqual(["GET /v1/webhooks", "POST /v1/webhooks"]);
    const [webhook, ...others] = engine.emu.webhooks();
    expect(others).toEqual([]);
    expect(webhooks()).toEqual([[webhook?.id, RECEIVER_URL, ["account.created", "order.executed"]]]);
    expect(result.outputs.webhookId).toEqual({ value: webhook?.id, secret: false });

    const resources = stateOnDisk(engine.backendDir);
    expect(resources.map((resource) => resource.type)).toEqual([
      "pulumi:pulumi:Stack",
      "pulumi:providers:pulumi-nodejs",
      REGISTRATION_TYPE,
    ]);
    const [registration] = registrationsOnDisk(engine.backendDir);
    expect(registration?.id).toBe(webhook?.id);
    const { __provider, signatureSecret, ...visible } = registration?.outputs ?? {};
    expect(signatureSecret).toEqual({
      [SECRET_SIG]: SECRET_SIG_VALUE,
      ciphertext: expect.stringMatching(/^v1:/),
    });
    expect(visible).toEqual({
      url: RECEIVER_URL,
      events: ["account.created", "order.executed"],
      apiBaseUrl: engine.emu.baseUrl,
      deleteBeforeReplace: false,
      webhookId: webhook?.id,
    });
    expect(typeof __provider).toBe("string");
    // The engine records the whole stack config as the inputs of the default pulumi-nodejs provider:
    // the API key *is* in state, encrypted because it was set as a secret.
    const provider = resources.find((resource) => resource.type === "pulumi:providers:pulumi-nodejs");
    expect(provider?.inputs).toEqual({
      "lemonmarkets:apiKey": { [SECRET_SIG]: SECRET_SIG_VALUE, ciphertext: expect.stringMatching(/^v1:/) },
    });
    const onDisk = engine.backendText();
    expect(onDisk).not.toContain(webhook?.signature_secret);
    expect(onDisk).not.toContain(API_KEY);
    // Nothing in state names this machine's directories. The engine does record each resource's call site,
    // relative to the project directory (`project:///…/components/registration/resource.ts#…`).
    expect(JSON.stringify(resources)).not.toContain(engine.scratch);
    expect(JSON.stringify(resources)).not.toContain(os.homedir());
    expect((registration as { sourcePosition?: string } | undefined)?.sourcePosition).toMatch(
      /^project:\/\/\/[^:]*\/components\/registration\/resource\.ts#\d+,\d+$/,
    );
  });

  it("previews no changes right after up, twice in a row and from a second copy of the program", async () => {
    // Prepare
    const copy = await engine.copyProgram("program", path.join("elsewhere", "deeper", "second-clone"));

    // Act
    const first = await engine.run((onEvent) => stack.preview({ onEvent }));
    const second = await engine.run((onEvent) => stack.preview({ onEvent }));
    const fromCopy = await engine.run((onEvent) => copy.preview({ onEvent }));

    // Assess
    for (const { result, steps } of [first, second, fromCopy]) {
      expect(result.changeSummary).toEqual({ same: 2 });
      expect(steps).toEqual(["pre:same", "outputs:same"]);
    }
    expect(engine.emu.requests).toEqual([]);
  });

  it("previews and applies no change when the events are only reordered and repeated", async () => {
    // Prepare
    engine.spec.args = {
      ...engine.spec.args,
      events: ["account.created", "order.executed", "account.created"],
    };
    const before = webhooks();

    // Act
    const preview = await engine.run((onEvent) => stack.preview({ onEvent }));
    const up = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    expect(preview.result.changeSummary).toEqual({ same: 2 });
    expect(up.result.summary.resourceChanges).toEqual({ same: 2 });
    expect(up.steps).toEqual(["pre:same", "outputs:same"]);
    expect(engine.emu.requests).toEqual([]);
    expect(webhooks()).toEqual(before);
  });

  it("replaces create-before-delete when the events change: the new webhook exists before the old one goes", async () => {
    // Prepare
    const [old] = engine.emu.webhooks();
    engine.spec.args = { ...engine.spec.args, events: ["account.created"] };

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    expect(result.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    expect(steps).toEqual([
      "pre:create-replacement",
      "outputs:create-replacement",
      "pre:replace",
      "outputs:replace",
      "pre:delete-replaced",
      "outputs:delete-replaced",
    ]);
    expect(requestLines(engine.emu)).toEqual([
      "GET /v1/webhooks",
      "POST /v1/webhooks",
      `DELETE /v1/webhooks/${old?.id}`,
    ]);
    const [replacement] = engine.emu.webhooks();
    expect(webhooks()).toEqual([[replacement?.id, RECEIVER_URL, ["account.created"]]]);
    expect(replacement?.id).not.toBe(old?.id);
    expect(registrationsOnDisk(engine.backendDir).map((resource) => resource.id)).toEqual([replacement?.id]);
  });

  it("replaces delete-before-create when the args set deleteBeforeReplace: true", async () => {
    // Prepare
    const [old] = engine.emu.webhooks();
    engine.spec.args = { ...engine.spec.args, events: ["order.executed"], deleteBeforeReplace: true };

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    expect(result.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    expect(steps).toEqual([
      "pre:delete-replaced",
      "outputs:delete-replaced",
      "pre:replace",
      "outputs:replace",
      "pre:create-replacement",
      "outputs:create-replacement",
    ]);
    expect(requestLines(engine.emu)).toEqual([
      `DELETE /v1/webhooks/${old?.id}`,
      "GET /v1/webhooks",
      "POST /v1/webhooks",
    ]);
    const [replacement] = engine.emu.webhooks();
    expect(webhooks()).toEqual([[replacement?.id, RECEIVER_URL, ["order.executed"]]]);
    expect(registrationsOnDisk(engine.backendDir).map((resource) => resource.id)).toEqual([replacement?.id]);
  });

  it("drops a webhook deleted out of band on refresh, and the next up registers it again", async () => {
    // Prepare
    const [gone] = engine.emu.webhooks();
    const response = await fetch(`${engine.emu.baseUrl}/webhooks/${gone?.id}`, {
      method: "DELETE",
      headers: {
        authorization: `Bearer ${API_KEY}`,
        "LMG-Data-Privacy-Access-Principal": "engine-suite",
        "LMG-Data-Privacy-Access-Justification": "out-of-band deletion",
      },
    });
    expect(response.status).toBe(204);
    engine.emu.requests.length = 0;

    // Act
    const refresh = await engine.run((onEvent) => stack.refresh({ onEvent }));
    const afterRefresh = registrationsOnDisk(engine.backendDir);
    const up = await engine.run((onEvent) => stack.up({ onEvent }));

    // Assess
    expect(refresh.result.summary.resourceChanges).toEqual({ delete: 1, same: 1 });
    expect(refresh.steps).toEqual(["pre:refresh", "outputs:delete"]);
    expect(afterRefresh).toEqual([]);
    expect(up.result.summary.resourceChanges).toEqual({ create: 1, same: 1 });
    expect(up.steps).toEqual(["pre:create", "outputs:create"]);
    expect(requestLines(engine.emu)).toEqual(["GET /v1/webhooks", "GET /v1/webhooks", "POST /v1/webhooks"]);
    const [again] = engine.emu.webhooks();
    expect(webhooks()).toEqual([[again?.id, RECEIVER_URL, ["order.executed"]]]);
    expect(again?.id).not.toBe(gone?.id);
    expect(registrationsOnDisk(engine.backendDir).map((resource) => resource.id)).toEqual([again?.id]);
  });

  it("unregisters the webhook on destroy, leaving nothing at lemon.markets or in state", async () => {
    // Prepare
    const [webhook] = engine.emu.webhooks();

    // Act
    const { result, steps } = await engine.run((onEvent) => stack.destroy({ onEvent }));

    // Assess
    expect(result.summary.resourceChanges).toEqual({ delete: 2 });
    expect(steps).toEqual(["pre:delete", "outputs:delete"]);
    expect(requestLines(engine.emu)).toEqual([`DELETE /v1/webhooks/${webhook?.id}`]);
    expect(webhooks()).toEqual([]);
    expect(stateOnDisk(engine.backendDir)).toEqual([]);
  });
});
