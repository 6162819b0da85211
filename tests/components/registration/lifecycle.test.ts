/**
 * WebhookRegistration through Pulumi's provider host, as the engine drives it: create, diff, update,
 * replacement order, refresh, delete and retries — against the lemon.markets emulator.
 */
import { createLemonClient } from "../../../components/lemon-api";
import {
  API_KEY,
  type Fixture,
  RECEIVER_URL,
  registrationInputs,
  requestLines,
  startFixture,
} from "../../support/provider-fixture";
import type { Props } from "../../support/provider-host";

let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture();
});

afterAll(async () => {
  await fx.close();
});

beforeEach(async () => {
  // Every test starts with no webhooks, no recorded requests and no pending faults.
  const client = createLemonClient({ apiKey: API_KEY, baseUrl: fx.emu.baseUrl });
  for (const webhook of fx.emu.webhooks()) await client.deleteWebhook(webhook.id);
  fx.emu.faults.clear();
  fx.emu.requests.length = 0;
});

describe("Create", () => {
  it("registers exactly one webhook and returns id, normalised inputs and the signature secret", async () => {
    // Prepare
    const news = registrationInputs(fx.emu, {
      events: ["order.executed", "account.created", "order.executed"],
    });

    // Act
    const { id, properties } = await fx.create(news);

    // Assess
    const [webhook, ...others] = fx.emu.webhooks();
    expect(others).toEqual([]);
    expect(webhook?.id).toBe(id);
    expect(properties).toEqual({
      __provider: fx.provider,
      url: RECEIVER_URL,
      events: ["account.created", "order.executed"],
      apiBaseUrl: fx.emu.baseUrl,
      deleteBeforeReplace: false,
      webhookId: id,
      signatureSecret: webhook?.signature_secret,
    });
    expect(webhook?.events).toEqual(["account.created", "order.executed"]);
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks", "POST /v1/webhooks"]);
  });

  it("sends the privacy headers given as inputs", async () => {
    // Prepare
    const news = registrationInputs(fx.emu, {
      privacyPrincipal: "ops-team",
      privacyJustification: "CHG-1234",
    });

    // Act
    const { properties } = await fx.create(news);

    // Assess
    expect(properties.privacyPrincipal).toBe("ops-team");
    expect(properties.privacyJustification).toBe("CHG-1234");
    const post = fx.emu.requests.find((request) => request.method === "POST");
    expect(post?.headers["lmg-data-privacy-access-principal"]).toBe("ops-team");
    expect(post?.headers["lmg-data-privacy-access-justification"]).toBe("CHG-1234");
  });
});

describe("Check", () => {
  it("returns failures naming the property and the fix, and registers nothing", async () => {
    // Act
    const { failures } = await fx.host.check(
      {},
      { url: "http://receiver.example.com/hook", events: [], __provider: fx.provider },
    );

    // Assess
    expect(failures).toEqual([
      {
        property: "url",
        reason:
          "url must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1]), e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/lemon",
      },
      {
        property: "events",
        reason: 'events must contain at least one event type, e.g. ["account.created", "order.executed"]',
      },
    ]);
    expect(fx.emu.requests).toEqual([]);
  });
});

describe("Diff and Update", () => {
  let created: { id: string; properties: Props };

  beforeEach(async () => {
    created = await fx.create(registrationInputs(fx.emu));
  });

  async function diffAgainst(news: Props) {
    const { inputs } = await fx.host.check(created.properties, { ...news, __provider: fx.provider });
    return fx.host.diff(created.id, created.properties, inputs);
  }

  it("reports no change for reordered and repeated events and a trailing slash", async () => {
    // Act
    const diff = await diffAgainst(
      registrationInputs(fx.emu, {
        url: `${RECEIVER_URL}/`,
        events: ["account.created", "order.executed", "account.created"],
      }),
    );

    // Assess
    expect(diff).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false });
  });

  it("replaces create-before-delete when the events change", async () => {
    // Act
    const diff = await diffAgainst(registrationInputs(fx.emu, { events: ["account.created"] }));

    // Assess
    expect(diff).toEqual({ changes: "some", replaces: ["events"], deleteBeforeReplace: false });
  });

  it("replaces delete-before-create when the new inputs ask for it", async () => {
    // Act
    const diff = await diffAgainst(
      registrationInputs(fx.emu, { url: `${RECEIVER_URL}-v2`, deleteBeforeReplace: true }),
    );

    // Assess
    expect(diff).toEqual({ changes: "some", replaces: ["url"], deleteBeforeReplace: true });
  });

  it("ignores a different serialized provider when the inputs are equal", async () => {
    // Prepare
    const olds = { ...created.properties, __provider: "exports.handler = () => ({});" };

    // Act
    const { inputs } = await fx.host.check(olds, { ...registrationInputs(fx.emu), __provider: fx.provider });
    const diff = await fx.host.diff(created.id, olds, inputs);

    // Assess
    expect(diff).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false });
  });

  it("updates privacy headers in place without calling lemon.markets", async () => {
    // Prepare
    const news = registrationInputs(fx.emu, { privacyPrincipal: "platform-team" });
    const { inputs } = await fx.host.check(created.properties, { ...news, __provider: fx.provider });
    const requestsBefore = fx.emu.requests.length;

    // Act
    const diff = await fx.host.diff(created.id, created.properties, inputs);
    const { properties } = await fx.host.update(created.id, created.properties, inputs);

    // Assess
    expect(diff).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });
    expect(properties).toEqual({ ...created.properties, privacyPrincipal: "platform-team" });
    expect(fx.emu.requests.length).toBe(requestsBefore);
  });

  it("runs a replacement with the new webhook registered before the old one is deleted", async () => {
    // Prepare
    const news = registrationInputs(fx.emu, { events: ["account.created"] });

    // Act
    const replacement = await fx.create(news);
    const during = fx.emu.webhooks().map((webhook) => webhook.id);
    await fx.host.delete(created.id, created.properties);

    // Assess
    expect(during).toEqual([created.id, replacement.id]);
    expect(fx.emu.webhooks().map((webhook) => [webhook.id, webhook.events])).toEqual([
      [replacement.id, ["account.created"]],
    ]);
    expect(replacement.properties.signatureSecret).not.toBe(created.properties.signatureSecret);
  });
});

describe("Read (refresh)", () => {
  it("returns the webhook unchanged while it exists", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));

    // Act
    const read = await fx.host.read(id, properties);

    // Assess
    const { webhookId: _id, signatureSecret: _secret, ...inputs } = properties;
    expect(read).toEqual({ id, properties, inputs });
  });

  it("reports a webhook deleted out of band as gone (empty id, no properties but __provider)", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    await createLemonClient({ apiKey: API_KEY, baseUrl: fx.emu.baseUrl }).deleteWebhook(id);

    // Act
    const read = await fx.host.read(id, properties);

    // Assess
    expect(read).toEqual({ id: "", properties: { __provider: fx.provider }, inputs: undefined });
  });

  it("recovers url, events and the secret from the id and the API base URL alone", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));

    // Act
    const read = await fx.host.read(id, { __provider: fx.provider, apiBaseUrl: fx.emu.baseUrl });

    // Assess
    expect(read.id).toBe(id);
    expect(read.properties).toEqual(properties);
  });

  it("finds the webhook on a later page of the list", async () => {
    // Prepare
    const client = createLemonClient({ apiKey: API_KEY, baseUrl: fx.emu.baseUrl });
    for (let i = 0; i < 101; i += 1)
      await client.createWebhook({ url: `${RECEIVER_URL}/${i}`, events: ["account.created"] });
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    fx.emu.requests.length = 0;

    // Act
    const read = await fx.host.read(id, properties);

    // Assess
    expect(read.id).toBe(id);
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks", "GET /v1/webhooks"]);
  });
});

describe("Delete", () => {
  it("retries 503 and succeeds, leaving no webhook", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    fx.emu.faults.enqueue({
      route: "DELETE /v1/webhooks/:id",
      fault: { kind: "status", status: 503 },
      times: 2,
    });
    fx.emu.requests.length = 0;

    // Act
    await fx.host.delete(id, properties);

    // Assess
    expect(fx.emu.webhooks()).toEqual([]);
    expect(requestLines(fx.emu)).toEqual(Array(3).fill(`DELETE /v1/webhooks/${id}`));
  });

  it("treats 404 (already deleted) as success", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    await createLemonClient({ apiKey: API_KEY, baseUrl: fx.emu.baseUrl }).deleteWebhook(id);
    fx.emu.requests.length = 0;

    // Act
    await fx.host.delete(id, properties);

    // Assess
    expect(requestLines(fx.emu)).toEqual([`DELETE /v1/webhooks/${id}`]);
  });

  it("fails with the API's reason when lemon.markets keeps failing, keeping the webhook in state", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    fx.emu.faults.enqueue({
      route: "DELETE /v1/webhooks/:id",
      fault: { kind: "status", status: 503 },
      times: 5,
    });

    // Act
    const failure = fx.host.delete(id, properties);

    // Assess
    await expect(failure).rejects.toThrow(
      /lemon\.markets delete_webhook failed: HTTP 503 Service Unavailable.*\(after 5 attempts\)/,
    );
    expect(fx.emu.webhooks().map((webhook) => webhook.id)).toEqual([id]);
  });
});

describe("Retries while listing", () => {
  it("retries a 429 with Retry-After and a 503 during refresh", async () => {
    // Prepare
    const { id, properties } = await fx.create(registrationInputs(fx.emu));
    fx.emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "retryAfter", seconds: 1 } });
    fx.emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 503 } });
    fx.emu.requests.length = 0;

    // Act
    const read = await fx.host.read(id, properties);

    // Assess
    expect(read.properties).toEqual(properties);
    expect(requestLines(fx.emu)).toEqual(Array(3).fill("GET /v1/webhooks"));
  });

  it("retries a 503 of the list that precedes the POST, still registering once", async () => {
    // Prepare
    fx.emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 503 } });

    // Act
    const { id } = await fx.create(registrationInputs(fx.emu));

    // Assess
    expect(fx.emu.webhooks().map((webhook) => webhook.id)).toEqual([id]);
    expect(requestLines(fx.emu)).toEqual(["GET /v1/webhooks", "GET /v1/webhooks", "POST /v1/webhooks"]);
  });
});
