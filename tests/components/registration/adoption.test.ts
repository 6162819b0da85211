/**
 * Create when the answer is lost, when lemon.markets refuses a second webhook for a URL, and adoption of
 * an existing webhook (`adoptWebhookId`, the fallback for `pulumi import`) — through the provider host.
 */
import { createLemonClient, type LemonClient } from "../../../components/lemon-api";
import {
  API_KEY,
  type Fixture,
  RECEIVER_URL,
  registrationInputs,
  requestLines,
  startFixture,
} from "../../support/provider-fixture";

let fx: Fixture;
let client: LemonClient;

beforeAll(async () => {
  fx = await startFixture();
  client = createLemonClient({ apiKey: API_KEY, baseUrl: fx.emu.baseUrl });
});

afterAll(async () => {
  await fx.close();
});

beforeEach(async () => {
  for (const webhook of fx.emu.webhooks()) await client.deleteWebhook(webhook.id);
  fx.emu.faults.clear();
  fx.emu.requests.length = 0;
});

describe("Create with a lost answer", () => {
  it("adopts the webhook committed before the connection dropped, registering exactly one", async () => {
    // Prepare
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });

    // Act
    const { id, properties } = await fx.create(registrationInputs(fx.emu));

    // Assess
    const [webhook, ...others] = fx.emu.webhooks();
    expect(others).toEqual([]);
    expect(id).toBe(webhook?.id);
    expect(properties.signatureSecret).toBe(webhook?.signature_secret);
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks", "POST /v1/webhooks", "GET /v1/webhooks"]);
  });

  it("adopts the new webhook, not an older one with the same url and events", async () => {
    // Prepare
    const older = await client.createWebhook({
      url: RECEIVER_URL,
      events: ["account.created", "order.executed"],
    });
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });

    // Act
    const { id } = await fx.create(registrationInputs(fx.emu));

    // Assess
    const ids = fx.emu.webhooks().map((webhook) => webhook.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(older.id);
    expect(id).toBe(ids[1]);
  });

  it("posts once more when the list shows the lost POST registered nothing", async () => {
    // Prepare: a 502 may or may not have been carried out; the emulator's fault did not carry it out.
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 502 } });

    // Act
    const { id } = await fx.create(registrationInputs(fx.emu));

    // Assess
    expect(fx.emu.webhooks().map((webhook) => webhook.id)).toEqual([id]);
    expect(requestLines(fx.emu)).toEqual([
      "GET /v1/webhooks",
      "POST /v1/webhooks",
      "GET /v1/webhooks",
      "POST /v1/webhooks",
    ]);
  });

  it("gives up after two lost answers with nothing registered, saying there is nothing to clean up", async () => {
    // Prepare
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 504 }, times: 2 });

    // Act
    const failure = fx.create(registrationInputs(fx.emu));

    // Assess
    await expect(failure).rejects.toThrow(
      "Create failed (gRPC 2): lemon.markets did not answer POST /v1/webhooks twice and no webhook was registered (checked by listing); nothing to clean up: run `pulumi up` again",
    );
    expect(fx.emu.webhooks()).toEqual([]);
    expect(requestLines(fx.emu).filter((line) => line.startsWith("POST"))).toHaveLength(2);
  });

  it("does not retry a POST refused with 503 (not committed, not ambiguous)", async () => {
    // Prepare
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 503 } });

    // Act
    const failure = fx.create(registrationInputs(fx.emu));

    // Assess
    await expect(failure).rejects.toThrow(
      /lemon\.markets create_webhook failed: HTTP 503 Service Unavailable/,
    );
    expect(fx.emu.webhooks()).toEqual([]);
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks", "POST /v1/webhooks"]);
  });
});

describe("Create refused for a URL that already has a webhook", () => {
  it("names the existing webhook and the deleteBeforeReplace and adoptWebhookId inputs", async () => {
    // Prepare
    const existing = await client.createWebhook({ url: `${RECEIVER_URL}/`, events: ["account.created"] });
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 409 } });

    // Act
    const failure = fx.create(registrationInputs(fx.emu));

    // Assess
    await expect(failure).rejects.toThrow(
      `Create failed (gRPC 2): lemon.markets refused to register a second webhook for this url (HTTP 409: injected fault: HTTP 409) while webhook ${existing.id} has it. ` +
        "A replacement creates the new webhook before deleting the old one; set `deleteBeforeReplace: true` on the WebhookRegistration " +
        `to delete first (events in the gap are not delivered), or adopt the existing one with \`adoptWebhookId: "${existing.id}"\`.`,
    );
    expect(fx.emu.webhooks().map((webhook) => webhook.id)).toEqual([existing.id]);
  });

  it("says a 422 may be that refusal, quoting lemon.markets' reason, when a webhook has the URL", async () => {
    // Prepare
    const existing = await client.createWebhook({ url: RECEIVER_URL, events: ["account.created"] });
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 422 } });

    // Act
    const failure = fx.create(registrationInputs(fx.emu));

    // Assess
    await expect(failure).rejects.toThrow(
      `Create failed (gRPC 2): lemon.markets refused the registration (HTTP 422: injected fault: HTTP 422) while webhook ${existing.id} already has this url; if that is the reason: A replacement`,
    );
  });

  it("passes a 422 through unchanged when no webhook has the URL", async () => {
    // Prepare
    fx.emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 422 } });

    // Act
    const failure = fx.create(registrationInputs(fx.emu));

    // Assess
    await expect(failure).rejects.toThrow(
      /^Create failed \(gRPC 2\): lemon\.markets create_webhook failed: HTTP 422/,
    );
  });
});

describe("Adopting an existing webhook (import fallback)", () => {
  it("adopts by id without registering, recovering the secret", async () => {
    // Prepare
    const existing = await client.createWebhook({
      url: RECEIVER_URL,
      events: ["order.executed", "account.created"],
    });
    fx.emu.requests.length = 0;

    // Act
    const { id, properties } = await fx.create(registrationInputs(fx.emu, { adoptWebhookId: existing.id }));

    // Assess
    expect(id).toBe(existing.id);
    expect(properties).toEqual({
      __provider: fx.provider,
      url: RECEIVER_URL,
      events: ["account.created", "order.executed"],
      apiBaseUrl: fx.emu.baseUrl,
      deleteBeforeReplace: false,
      webhookId: existing.id,
      signatureSecret: existing.signature_secret,
    });
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks"]);
  });

  it("refuses to adopt a webhook whose events differ from the args", async () => {
    // Prepare
    const existing = await client.createWebhook({ url: RECEIVER_URL, events: ["account.created"] });

    // Act
    const failure = fx.create(registrationInputs(fx.emu, { adoptWebhookId: existing.id }));

    // Assess
    await expect(failure).rejects.toThrow(
      `adoptWebhookId: webhook ${existing.id} has url/events that differ from the args (events: account.created); ` +
        "set url and events to the webhook's own values, or remove adoptWebhookId to register a new webhook",
    );
  });

  it("refuses to adopt an id that does not exist", async () => {
    // Act
    const failure = fx.create(
      registrationInputs(fx.emu, { adoptWebhookId: "wbh_00000000000000000000000000000000" }),
    );

    // Assess
    await expect(failure).rejects.toThrow(
      "adoptWebhookId: webhook wbh_00000000000000000000000000000000 does not exist for this API key",
    );
    expect(fx.emu.webhooks()).toEqual([]);
  });

  it("cannot import through Read with an id only: Pulumi's host needs properties (pulumi/pulumi#16175)", async () => {
    // Prepare
    const existing = await client.createWebhook({ url: RECEIVER_URL, events: ["account.created"] });

    // Act
    // Like the real engine for an import: a ReadRequest with no properties at all (tests/engine/import.test.ts).
    const failure = fx.host.read(existing.id, undefined);

    // Assess
    await expect(failure).rejects.toThrow(
      "Read failed (gRPC 2): Cannot read properties of undefined (reading 'toJavaScript')",
    );
  });
});
