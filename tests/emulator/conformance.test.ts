import type Ajv2020 from "ajv/dist/2020";
import { type Emulator, ID_PATTERN, startEmulator } from "../../emulator";
import {
  API_KEY,
  type ApiResponse,
  call,
  goodHeaders,
  register,
  SEED_ACCOUNT_BODY,
  startReceiver,
} from "../support/emulator";
import { createAjv, type Fragment, loadFragment, responseValidator, schemaValidator } from "../support/openapi";

const ajv: Ajv2020 = createAjv();

/** Asserts `response` is what `fragment` declares for its route and status; returns its JSON body. */
function expectConforms(
  fragment: Fragment,
  specPath: string,
  method: string,
  response: ApiResponse,
): unknown {
  const validate = responseValidator(ajv, fragment, { path: specPath, method, status: response.status });
  if (validate === undefined) {
    expect(response.text).toBe("");
    return undefined;
  }
  expect(response.headers.get("content-type")).toBe("application/json");
  const valid = validate(response.json);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return response.json;
}

describe("Emulator: conformance with the OpenAPI fragments", () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], delivery: { baseDelayMs: 1, maxAttempts: 1 } });
  });

  afterEach(async () => {
    await emu.close();
  });

  it("answers POST /v1/webhooks with a Webhook echoing url and events, a wbh_ id and a 64-hex secret", async () => {
    // Prepare
    const body = { url: "https://example.com/lemon", events: ["account.created", "order.executed"] };

    // Act
    const response = await call(emu, "POST", "/webhooks", { body });

    // Assess
    expect(response.status).toBe(201);
    const webhook = expectConforms("events", "/webhooks", "POST", response) as Record<string, unknown>;
    expect(Object.keys(webhook).sort()).toEqual(["events", "id", "signature_secret", "url"]);
    expect(webhook.url).toBe(body.url);
    expect(webhook.events).toEqual(body.events);
    expect(webhook.id).toMatch(/^wbh_[0-9a-f]{32}$/);
    expect(webhook.signature_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(emu.webhooks()).toEqual([webhook]);
  });

  it("answers GET /v1/webhooks with a Page_Webhook_ including each signature_secret", async () => {
    // Prepare
    const first = await register(emu, "https://example.com/a", ["account.created"]);
    const second = await register(emu, "http://127.0.0.1:9/b", ["order.created"]);

    // Act
    const response = await call(emu, "GET", "/webhooks");

    // Assess
    expect(response.status).toBe(200);
    expect(expectConforms("events", "/webhooks", "GET", response)).toEqual({
      data: [first, second],
      pagination: { next_cursor: null },
    });
    expect(first.signature_secret).not.toBe(second.signature_secret);
  });

  it("answers DELETE /v1/webhooks/{id} with an empty 204 and removes the webhook", async () => {
    // Prepare
    const webhook = await register(emu, "https://example.com/a", ["account.created"]);

    // Act
    const response = await call(emu, "DELETE", `/webhooks/${webhook.id}`);

    // Assess
    expect(response.status).toBe(204);
    expectConforms("events", "/webhooks/{webhook_id}", "DELETE", response);
    expect(emu.webhooks()).toEqual([]);
  });

  it("answers GET /v1/events with a Page_EventExternal_ of the emitted events, newest first", async () => {
    // Prepare
    const older = emu.emit("account.created", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
    const newer = emu.emit("identification.started", {
      person: "pers_3f9a108f2bd64f199955b873946a853b",
      identification: "ident_0cf8491900844c72ae0eba07837c4530",
    });

    // Act
    const response = await call(emu, "GET", "/events");

    // Assess
    expect(response.status).toBe(200);
    expect(expectConforms("events", "/events", "GET", response)).toEqual({
      data: [newer, older],
      pagination: { next_cursor: null },
    });
    expect(older.id).toMatch(ID_PATTERN);
    expect(older.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
  });

  it("answers the seed walkthrough's POST /v1/accounts with a CustomerAccountResponse and emits account.created", async () => {
    // Act
    const response = await call(emu, "POST", "/accounts", { body: SEED_ACCOUNT_BODY });

    // Assess
    expect(response.status).toBe(201);
    const account = expectConforms("accounts", "/accounts", "POST", response) as Record<string, unknown>;
    const sent = JSON.parse(SEED_ACCOUNT_BODY);
    const customer = account.customer as Record<string, unknown>;
    expect(account.id).toMatch(/^cusa_[0-9a-f]{32}$/);
    expect(customer.id).toMatch(/^pers_[0-9a-f]{32}$/);
    expect({ ...customer, id: "pers" }).toEqual({ ...sent.customer, id: "pers" });
    expect(account.status).toBe("created");
    expect(account.declaration_of_acting_on_own_account).toBe(true);
    expect(account.agreements).toEqual([
      {
        agreement: "agr_9902271f791d413aad781763c61b9bb0",
        accepted_at: "2023-06-29T14:39:29Z",
        person: customer.id,
      },
      {
        agreement: "agr_8ec894e1ec764a339e172292dff9aeff",
        accepted_at: "2023-06-29T14:39:29Z",
        person: customer.id,
      },
    ]);
    expect(account).not.toHaveProperty("metadata");
    const events = emu.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: "account.created",
      created_at: (account.history as { timestamp: string }[])[0]!.timestamp,
      context: { account: account.id },
    });
  });

  it("answers a POST /v1/accounts for an existing person with the PersonCustomerResponse shape", async () => {
    // Prepare
    const body = {
      customer: { type: "person", id: "pers_8e3c698265484edbaca82ae52c9fabd7" },
      accepted_agreements: [{ agreement_id: "agr_1", accepted_at: "2023-06-29T14:39:29+02:00" }],
      declaration_of_acting_on_own_account: false,
      metadata: { origin_id: "origin_example" },
    };

    // Act
    const response = await call(emu, "POST", "/accounts", { body });

    // Assess
    expect(response.status).toBe(201);
    const account = expectConforms("accounts", "/accounts", "POST", response) as Record<string, unknown>;
    expect(account.customer).toEqual({
      type: "person",
      id: "pers_8e3c698265484edbaca82ae52c9fabd7",
      person: "pers_8e3c698265484edbaca82ae52c9fabd7",
    });
    expect(account.metadata).toEqual({ origin_id: "origin_example" });
    expect(account.agreements).toEqual([
      {
        agreement: "agr_1",
        accepted_at: "2023-06-29T14:39:29+02:00",
        person: "pers_8e3c698265484edbaca82ae52c9fabd7",
      },
    ]);
  });

  describe.each([
    ["POST", "/webhooks", "/webhooks", "events"],
    ["GET", "/webhooks", "/webhooks", "events"],
    ["DELETE", "/webhooks/wbh_00000000000000000000000000000000", "/webhooks/{webhook_id}", "events"],
    ["GET", "/events", "/events", "events"],
    ["POST", "/accounts", "/accounts", "accounts"],
  ] as const)("%s %s errors", (method, path, specPath, fragment) => {
    it("answers 401 with an ErrorResponse for a wrong API key", async () => {
      // Act
      const body = method === "POST" ? "{}" : undefined;
      const response = await call(emu, method, path, { headers: goodHeaders("not-the-key"), body });

      // Assess
      expect(response.status).toBe(401);
      expect(expectConforms(fragment, specPath, method, response)).toEqual({
        message: "missing or invalid API key; send Authorization: Bearer <your-api-key>",
      });
    });

    it("answers 422 with an ErrorResponse naming both privacy headers when they are missing", async () => {
      // Act
      const response = await call(emu, method, path, { headers: { authorization: `Bearer ${API_KEY}` } });

      // Assess
      expect(response.status).toBe(422);
      const body = expectConforms(fragment, specPath, method, response) as { message: string };
      expect(body.message).toContain(
        "LMG-Data-Privacy-Access-Principal, LMG-Data-Privacy-Access-Justification",
      );
    });

    it("answers an injected 503 with an ErrorResponse (the 5XX declaration)", async () => {
      // Prepare
      const route = `${method} /v1${specPath.replace("{webhook_id}", ":id")}` as Parameters<
        Emulator["faults"]["enqueue"]
      >[0]["route"];
      emu.faults.enqueue({ route, fault: { kind: "status", status: 503 } });

      // Act
      const response = await call(emu, method, path);

      // Assess
      expect(response.status).toBe(503);
      expect(expectConforms(fragment, specPath, method, response)).toEqual({
        message: "injected fault: HTTP 503",
      });
    });
  });

  it.each([
    { label: "malformed JSON", method: "POST", path: "/webhooks", body: "not json", status: 400 },
    {
      label: "an unknown event type",
      method: "POST",
      path: "/webhooks",
      body: { url: "https://example.com", events: ["account.exploded"] },
      status: 422,
    },
    {
      label: "an unknown webhook id",
      method: "DELETE",
      path: "/webhooks/wbh_00000000000000000000000000000000",
      status: 404,
    },
    { label: "an invalid sort", method: "GET", path: "/events?sort=sideways", status: 422 },
    { label: "a forged cursor", method: "GET", path: "/webhooks?cursor=bm9wZQ", status: 400 },
    { label: "truncated JSON", method: "POST", path: "/accounts", body: "{", status: 400 },
    { label: "an empty customer", method: "POST", path: "/accounts", body: { customer: {} }, status: 422 },
  ] as const)("answers $method $path with $label as a declared $status ErrorResponse", async (example) => {
    // Prepare
    const { method, path, status } = example;
    const specPath = path.startsWith("/webhooks/") ? "/webhooks/{webhook_id}" : path.split("?")[0]!;

    // Act
    const response = await call(emu, method, path, { body: "body" in example ? example.body : undefined });

    // Assess
    expect(response.status).toBe(status);
    const fragment = specPath === "/accounts" ? "accounts" : "events";
    const error = expectConforms(fragment, specPath, method, response) as { message: string };
    expect(Object.keys(error)).toEqual(["message"]);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it("signs deliveries whose body is an EventExternal", async () => {
    // Prepare
    const receiver = await startReceiver();
    await register(emu, receiver.url, ["account.created"]);

    // Act
    emu.emit("account.created", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
    await emu.waitForDeliveries();
    await receiver.close();

    // Assess
    expect(receiver.received).toHaveLength(1);
    const validate = schemaValidator(ajv, "events", "EventExternal");
    expect(validate(JSON.parse(receiver.received[0]!.rawBody))).toBe(true);
  });
});

describe("Spec: the one correction the conformance tests make", () => {
  it("is needed because the strict Page_Webhook_ schema rejects the spec's own last-page example", () => {
    // Prepare
    const operation = loadFragment("events").paths["/webhooks"]!.get as unknown as {
      responses: { "200": { content: { "application/json": { example: unknown } } } };
    };
    const example = operation.responses["200"].content["application/json"].example;
    const strict = schemaValidator(createAjv({ nullableCursor: false }), "events", "Page_Webhook_");
    const corrected = schemaValidator(ajv, "events", "Page_Webhook_");

    // Act
    const verdicts = { strict: strict(example), corrected: corrected(example) };

    // Assess
    expect((example as { pagination: unknown }).pagination).toEqual({ next_cursor: null });
    expect(verdicts).toEqual({ strict: false, corrected: true });
  });
});
