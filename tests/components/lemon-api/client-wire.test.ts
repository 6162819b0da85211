/**
 * What the client puts on the wire and how it reads answers, against a scripted local server.
 */
import { createLemonClient, type LemonClient, type Webhook } from "../../../components/lemon-api";
import { recordingSleep, rejection } from "../../support/capture";
import { type ScriptedServer, startScriptedServer } from "../../support/scripted-server";

const API_KEY = "sk_test_wire_8d2e41a9";
const SECRET = "78147840b851c1532382bc311147e52c4756ba67be1edc48a5daf504c886ac64";
const HOOK: Webhook = {
  id: "wbh_0953534cf20f414098533680abd6b1c6",
  url: "https://example.com/lemon",
  events: ["account.created"],
  signature_secret: SECRET,
};
const EVENT = {
  id: "evt_49561262373149c9be83e4786c39f50b",
  type: "identification.started",
  created_at: "2024-05-22T13:06:13.013816+00:00",
  context: { identification: "ident_1", person: "pers_1" },
};

describe("Function: createLemonClient (wire format)", () => {
  let server: ScriptedServer;
  let client: LemonClient;

  beforeEach(async () => {
    server = await startScriptedServer();
    client = createLemonClient({
      apiKey: API_KEY,
      baseUrl: `${server.baseUrl}/`,
      sleep: recordingSleep().sleep,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it("sends the bearer key, both privacy headers, Accept and User-Agent with every operation", async () => {
    // Prepare
    server.script(
      { status: 201, body: HOOK },
      { status: 200, body: { data: [], pagination: { next_cursor: null } } },
      { status: 204 },
      { status: 200, body: { data: [], pagination: { next_cursor: null } } },
    );

    // Act
    await client.createWebhook({ url: HOOK.url, events: HOOK.events });
    await client.listWebhooks();
    await client.deleteWebhook(HOOK.id);
    await client.listEvents();

    // Assess
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "POST /v1/webhooks",
      "GET /v1/webhooks?limit=100",
      `DELETE /v1/webhooks/${HOOK.id}`,
      "GET /v1/events",
    ]);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request.headers["lmg-data-privacy-access-principal"]).toBe(
        "lemon-webhooks/pulumi (automated infrastructure)",
      );
      expect(request.headers["lmg-data-privacy-access-justification"]).toBe(
        "webhook registration management",
      );
      expect(request.headers.accept).toBe("application/json");
      expect(request.headers["user-agent"]).toBe("lemon-webhooks");
    }
  });

  it("posts exactly the url and events as JSON and returns the webhook with its secret", async () => {
    // Prepare
    server.script({ status: 201, body: { ...HOOK, unexpected: "ignored" } });

    // Act
    const created = await client.createWebhook({
      url: HOOK.url,
      events: ["account.created", "account.opened"],
    });

    // Assess
    expect(created).toEqual(HOOK);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      url: HOOK.url,
      events: ["account.created", "account.opened"],
    });
  });

  it("uses the configured privacy headers and user agent instead of the defaults", async () => {
    // Prepare
    const custom = createLemonClient({
      apiKey: API_KEY,
      baseUrl: server.baseUrl,
      privacyPrincipal: "ops-team (break-glass)",
      privacyJustification: "incident 42 webhook cleanup",
      userAgent: "acme-infra/1.0",
    });
    server.script({ status: 204 });

    // Act
    await custom.deleteWebhook("wbh_1");

    // Assess
    expect(server.requests[0]!.headers["lmg-data-privacy-access-principal"]).toBe("ops-team (break-glass)");
    expect(server.requests[0]!.headers["lmg-data-privacy-access-justification"]).toBe(
      "incident 42 webhook cleanup",
    );
    expect(server.requests[0]!.headers["user-agent"]).toBe("acme-infra/1.0");
  });

  it("URL-encodes the webhook id it deletes", async () => {
    // Prepare
    server.script({ status: 204 });

    // Act
    await client.deleteWebhook("wbh_a/b?c");

    // Assess
    expect(server.requests.map((request) => request.url)).toEqual(["/v1/webhooks/wbh_a%2Fb%3Fc"]);
  });

  it("follows next_cursor through every page and keeps the page size on each request", async () => {
    // Prepare
    const hook = (n: number): Webhook => ({ ...HOOK, id: `wbh_${n}` });
    server.script(
      { status: 200, body: { data: [hook(1), hook(2)], pagination: { next_cursor: "c1" } } },
      { status: 200, body: { data: [hook(3)], pagination: { next_cursor: "c2" } } },
      { status: 200, body: { data: [], pagination: {} } },
    );

    // Act
    const hooks = await client.listWebhooks({ pageSize: 2 });

    // Assess
    expect(hooks.map((webhook) => webhook.id)).toEqual(["wbh_1", "wbh_2", "wbh_3"]);
    expect(server.requests.map((request) => request.url)).toEqual([
      "/v1/webhooks?limit=2",
      "/v1/webhooks?limit=2&cursor=c1",
      "/v1/webhooks?limit=2&cursor=c2",
    ]);
  });

  it("sends listEvents parameters under their published names and returns the next cursor", async () => {
    // Prepare
    server.script({ status: 200, body: { data: [EVENT], pagination: { next_cursor: "n1" } } });

    // Act
    const page = await client.listEvents({
      type: "identification.started",
      sort: "asc",
      limit: 1,
      context: { person: "pers_1" },
    });

    // Assess
    expect(page).toEqual({ data: [EVENT], nextCursor: "n1" });
    expect(server.requests.map((request) => request.url)).toEqual([
      "/v1/events?context.person=pers_1&limit=1&sort=asc&type=identification.started",
    ]);
  });

  it("iterates events across pages, sending only the cursor and page size after the first page", async () => {
    // Prepare
    const event = (n: number) => ({ ...EVENT, id: `evt_${n}` });
    server.script(
      { status: 200, body: { data: [event(1), event(2)], pagination: { next_cursor: "p2" } } },
      { status: 200, body: { data: [event(3)], pagination: { next_cursor: "p3" } } },
      { status: 200, body: { data: [], pagination: { next_cursor: null } } },
    );
    const seen: string[] = [];

    // Act
    for await (const item of client.iterateEvents({ type: "identification.started", limit: 2 }))
      seen.push(item.id);

    // Assess
    expect(seen).toEqual(["evt_1", "evt_2", "evt_3"]);
    expect(server.requests.map((request) => request.url)).toEqual([
      "/v1/events?limit=2&type=identification.started",
      "/v1/events?cursor=p2&limit=2",
      "/v1/events?cursor=p3&limit=2",
    ]);
  });

  it("stops a listing whose next_cursor repeats instead of looping forever", async () => {
    // Prepare
    server.script(
      { status: 200, body: { data: [HOOK], pagination: { next_cursor: "same" } } },
      { status: 200, body: { data: [HOOK], pagination: { next_cursor: "same" } } },
    );

    // Act
    const error = await rejection(client.listWebhooks());

    // Assess
    expect(error.message).toBe(
      "lemon.markets list_webhooks failed: HTTP 200 OK: pagination.next_cursor repeats an earlier cursor, so the listing would never end",
    );
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ["a page without pagination", { data: [] }, "body.pagination is not an object"],
    [
      "a webhook without its secret",
      { data: [{ ...HOOK, signature_secret: undefined }], pagination: {} },
      "body.data[0].signature_secret is not a non-empty string",
    ],
    [
      "events that are not strings",
      { data: [{ ...HOOK, events: [1] }], pagination: {} },
      "body.data[0].events is not an array of strings",
    ],
    [
      "a numeric cursor",
      { data: [], pagination: { next_cursor: 7 } },
      "body.pagination.next_cursor is neither a non-empty string nor null",
    ],
  ])("rejects %s naming the field, not retrying", async (_label, body, detail) => {
    // Prepare
    server.script({ status: 200, body });

    // Act
    const error = await rejection(client.listWebhooks());

    // Assess
    expect(error.message).toBe(
      `lemon.markets list_webhooks failed: HTTP 200 OK: unexpected response: ${detail}`,
    );
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an event whose context holds a non-string", async () => {
    // Prepare
    server.script({ status: 200, body: { data: [{ ...EVENT, context: { account: 5 } }], pagination: {} } });

    // Act
    const error = await rejection(client.listEvents());

    // Assess
    expect(error.message).toBe(
      "lemon.markets list_events failed: HTTP 200 OK: unexpected response: body.data[0].context.account is not a string",
    );
  });
});
