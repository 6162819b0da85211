/**
 * The client against the local lemon.markets emulator: pagination, error statuses, retries under injected
 * faults, create-at-most-once, headers, and secret hygiene — asserted through the emulator's request log.
 */

import { createLemonClient, type LemonClient, type LemonClientOptions } from "../../../components/lemon-api";
import { type Emulator, startEmulator } from "../../../emulator";
import { everyRendering, recordingSleep, rejection } from "../../support/capture";

const API_KEY = "test-key";
const HOOK_URL = "https://example.com/lemon";

describe("Function: createLemonClient (against the emulator)", () => {
  let emu: Emulator;
  let waits: number[];
  let client: LemonClient;
  const make = (overrides: Partial<LemonClientOptions> = {}): LemonClient => {
    const recorder = recordingSleep();
    waits = recorder.waits;
    return createLemonClient({
      apiKey: API_KEY,
      baseUrl: emu.baseUrl,
      sleep: recorder.sleep,
      random: () => 0.5,
      ...overrides,
    });
  };
  const requestsTo = (method: string, path: string) =>
    emu.requests.filter((request) => request.method === method && request.path === path);

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], seed: 7 });
    client = make();
  });

  afterEach(async () => {
    await emu.close();
  });

  it("lists 7 webhooks with page size 2 in 4 requests, each passing the previous next_cursor", async () => {
    // Prepare
    for (let n = 0; n < 7; n++)
      await client.createWebhook({ url: `${HOOK_URL}/${n}`, events: ["account.created"] });
    // The cursors the emulator hands out, read independently of the client.
    const cursors: string[] = [];
    let next: string | null = null;
    do {
      const query: string = next === null ? "limit=2" : `limit=2&cursor=${encodeURIComponent(next)}`;
      const response = await fetch(`${emu.baseUrl}/webhooks?${query}`, {
        headers: {
          authorization: `Bearer ${API_KEY}`,
          "lmg-data-privacy-access-principal": "test",
          "lmg-data-privacy-access-justification": "test",
        },
      });
      next = ((await response.json()) as { pagination: { next_cursor: string | null } }).pagination
        .next_cursor;
      if (next !== null) cursors.push(next);
    } while (next !== null);
    emu.requests.length = 0;

    // Act
    const hooks = await client.listWebhooks({ pageSize: 2 });

    // Assess
    expect(hooks).toEqual(emu.webhooks());
    expect(hooks.map((hook) => hook.url)).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => `${HOOK_URL}/${n}`));
    expect(cursors).toHaveLength(3);
    expect(emu.requests.map((request) => request.query)).toEqual([
      { limit: "2" },
      { limit: "2", cursor: cursors[0] },
      { limit: "2", cursor: cursors[1] },
      { limit: "2", cursor: cursors[2] },
    ]);
  });

  it("answers a bad key with a 401 LemonApiError carrying the API's message and the key hint", async () => {
    // Prepare
    const wrongKey = make({ apiKey: "not-the-key" });

    // Act
    const error = await rejection(wrongKey.listWebhooks());

    // Assess
    expect(error).toMatchObject({
      operation: "list_webhooks",
      kind: "http",
      status: 401,
      retryable: false,
      attempts: 1,
    });
    expect(error.apiMessage).toBe("missing or invalid API key; send Authorization: Bearer <your-api-key>");
    expect(error.message).toContain(
      "check lemonmarkets:apiKey — sandbox and production keys are not interchangeable",
    );
  });

  it("answers an unknown event type with a 422 LemonApiError carrying the API's message", async () => {
    // Act
    const error = await rejection(client.createWebhook({ url: HOOK_URL, events: ["account.exploded"] }));

    // Assess
    expect(error).toMatchObject({
      operation: "create_webhook",
      status: 422,
      mayHaveCommitted: false,
      attempts: 1,
    });
    expect(error.apiMessage).toBe(
      'events contains unknown event type(s) "account.exploded"; use the EventType values lemon.markets publishes, e.g. account.created',
    );
    expect(emu.webhooks()).toEqual([]);
  });

  it("answers deleting an unknown webhook with a 404 LemonApiError carrying the API's message", async () => {
    // Act
    const error = await rejection(client.deleteWebhook("wbh_missing"));

    // Assess
    expect(error).toMatchObject({ operation: "delete_webhook", status: 404, retryable: false, attempts: 1 });
    expect(error.apiMessage).toBe('no webhook with id "wbh_missing"; list them with GET /v1/webhooks');
    expect(requestsTo("DELETE", "/v1/webhooks/wbh_missing")).toHaveLength(1);
  });

  it("retries a list through 503, 503 and succeeds on the third attempt", async () => {
    // Prepare
    await client.createWebhook({ url: HOOK_URL, events: ["account.created"] });
    emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 503 }, times: 2 });

    // Act
    const hooks = await client.listWebhooks();

    // Assess
    expect(hooks).toEqual(emu.webhooks());
    expect(requestsTo("GET", "/v1/webhooks")).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it("retries a delete through 503, 503 and deletes on the third attempt", async () => {
    // Prepare
    const hook = await client.createWebhook({ url: HOOK_URL, events: ["account.created"] });
    emu.faults.enqueue({
      route: "DELETE /v1/webhooks/:id",
      fault: { kind: "status", status: 503 },
      times: 2,
    });

    // Act
    await client.deleteWebhook(hook.id);

    // Assess
    expect(requestsTo("DELETE", `/v1/webhooks/${hook.id}`)).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    expect(emu.webhooks()).toEqual([]);
  });

  it("waits the 1 s a 429 asks for in Retry-After before retrying", async () => {
    // Prepare
    emu.faults.enqueue({ route: "GET /v1/events", fault: { kind: "retryAfter", seconds: 1 } });

    // Act
    const page = await client.listEvents();

    // Assess
    expect(page).toEqual({ data: [], nextCursor: null });
    expect(waits).toEqual([1000]);
    expect(requestsTo("GET", "/v1/events")).toHaveLength(2);
  });

  it("sends a create that meets a 503 exactly once and reports it as not committed", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 503 }, times: 3 });

    // Act
    const error = await rejection(client.createWebhook({ url: HOOK_URL, events: ["account.created"] }));

    // Assess
    expect(error).toMatchObject({ status: 503, retryable: true, mayHaveCommitted: false, attempts: 1 });
    expect(requestsTo("POST", "/v1/webhooks")).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(emu.webhooks()).toEqual([]);
  });

  it("sends a create whose connection drops after commit exactly once and says to adopt it", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });

    // Act
    const error = await rejection(client.createWebhook({ url: HOOK_URL, events: ["account.created"] }));
    const listed = await client.listWebhooks();

    // Assess
    expect(error).toMatchObject({
      operation: "create_webhook",
      kind: "network",
      mayHaveCommitted: true,
      attempts: 1,
    });
    expect(requestsTo("POST", "/v1/webhooks")).toHaveLength(1);
    expect(listed.map(({ url, events }) => ({ url, events }))).toEqual([
      { url: HOOK_URL, events: ["account.created"] },
    ]);
  });

  it("reports a create that outlasts timeoutMs as a timeout that may have committed, sent once", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "slow", ms: 400 } });
    const impatient = make({ timeoutMs: 100 });

    // Act
    const error = await rejection(impatient.createWebhook({ url: HOOK_URL, events: ["account.created"] }));

    // Assess
    expect(error).toMatchObject({ kind: "timeout", mayHaveCommitted: true, attempts: 1 });
    expect(requestsTo("POST", "/v1/webhooks")).toHaveLength(1);
  });

  it("sends the accepted key and both privacy headers with every request", async () => {
    // Prepare
    const hook = await client.createWebhook({ url: HOOK_URL, events: ["account.created"] });

    // Act
    await client.listWebhooks();
    await client.listEvents({ type: "account.created" });
    await client.deleteWebhook(hook.id);

    // Assess
    expect(emu.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /v1/webhooks",
      "GET /v1/webhooks",
      "GET /v1/events",
      `DELETE /v1/webhooks/${hook.id}`,
    ]);
    for (const request of emu.requests) {
      expect(request.authorized).toBe(true);
      expect(request.headers["lmg-data-privacy-access-principal"]).toBe(
        "lemon-webhooks/pulumi (automated infrastructure)",
      );
      expect(request.headers["lmg-data-privacy-access-justification"]).toBe(
        "webhook registration management",
      );
      expect(request.headers.accept).toBe("application/json");
    }
  });

  it("iterates every matching event across pages, oldest first with sort asc", async () => {
    // Prepare
    const emitted = [1, 2, 3, 4, 5].map((n) => emu.emit("account.created", { account: `cusa_${n}` }));
    emu.emit("order.created", { account: "cusa_1", order: "ord_1" });
    const ids: string[] = [];

    // Act
    for await (const event of client.iterateEvents({ type: "account.created", sort: "asc", limit: 2 })) {
      ids.push(event.id);
    }

    // Assess
    expect(ids).toEqual(emitted.map((event) => event.id));
    expect(requestsTo("GET", "/v1/events")).toHaveLength(3);
  });

  it("keeps the API key and every signature secret out of errors of every kind", async () => {
    // Prepare
    const existing = await client.createWebhook({ url: HOOK_URL, events: ["account.created"] });
    const errors = [
      await rejection(make({ apiKey: "wrong-key-1234" }).listWebhooks()),
      await rejection(client.createWebhook({ url: HOOK_URL, events: ["account.exploded"] })),
      await rejection(client.deleteWebhook("wbh_missing")),
    ];
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });
    errors.push(await rejection(client.createWebhook({ url: `${HOOK_URL}/2`, events: ["account.created"] })));
    emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 503 }, times: 5 });
    errors.push(await rejection(client.listWebhooks()));
    const secrets = emu.webhooks().map((hook) => hook.signature_secret);

    // Act
    const rendered = errors.map(everyRendering);

    // Assess
    expect(errors.map((error) => error.status ?? error.kind)).toEqual([401, 422, 404, "network", 503]);
    expect(secrets).toHaveLength(2);
    expect(secrets).toContain(existing.signature_secret);
    for (const text of rendered) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain("wrong-key-1234");
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
