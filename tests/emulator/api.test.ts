import fc from "fast-check";
import { DEFAULT_API_KEYS, type Emulator, type LemonEvent, startEmulator } from "../../emulator";
import { API_KEY, call, goodHeaders, PRIVACY, register } from "../support/emulator";

type Page<T> = { data: T[]; pagination: { next_cursor: string | null } };

/** Follows next_cursor from `firstPath` to the end; returns every page. */
async function allPages<T>(emu: Emulator, firstPath: string, limit: number): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let path = firstPath;
  for (;;) {
    const response = await call(emu, "GET", path);
    expect(response.status).toBe(200);
    const page = response.json as Page<T>;
    pages.push(page);
    const cursor = page.pagination.next_cursor;
    if (cursor === null) return pages;
    path = `${firstPath.split("?")[0]}?cursor=${encodeURIComponent(cursor)}&limit=${limit}`;
  }
}

describe("Emulator: API validation", () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY] });
  });

  afterEach(async () => {
    await emu.close();
  });

  it.each([
    ["no Authorization header", { ...PRIVACY }],
    ["a Basic scheme", { authorization: `Basic ${API_KEY}`, ...PRIVACY }],
    ["an unknown key", goodHeaders("someone-elses-key")],
    ["an empty bearer", { authorization: "Bearer ", ...PRIVACY }],
  ])("answers 401 to %s", async (_label, headers) => {
    // Act
    const response = await call(emu, "GET", "/webhooks", { headers });

    // Assess
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      message: "missing or invalid API key; send Authorization: Bearer <your-api-key>",
    });
  });

  it("accepts the default key when none is configured", async () => {
    // Prepare
    const defaults = await startEmulator();

    // Act
    const response = await call(defaults, "GET", "/webhooks", { headers: goodHeaders(DEFAULT_API_KEYS[0]) });
    await defaults.close();

    // Assess
    expect(DEFAULT_API_KEYS).toEqual(["lemon-emulator-key"]);
    expect(response.status).toBe(200);
  });

  it("switches accepted keys with setApiKeys", async () => {
    // Act
    emu.setApiKeys(["rotated-key"]);
    const old = await call(emu, "GET", "/webhooks");
    const rotated = await call(emu, "GET", "/webhooks", { headers: goodHeaders("rotated-key") });

    // Assess
    expect([old.status, rotated.status]).toEqual([401, 200]);
  });

  it("answers 422 naming the one missing privacy header", async () => {
    // Prepare
    const headers = { authorization: `Bearer ${API_KEY}`, "LMG-Data-Privacy-Access-Principal": "ops" };

    // Act
    const response = await call(emu, "GET", "/events", { headers });

    // Assess
    expect(response.status).toBe(422);
    expect((response.json as { message: string }).message).toMatch(
      /^missing required header\(s\) LMG-Data-Privacy-Access-Justification: /,
    );
  });

  it.each([
    ["a relative url", { url: "/hooks", events: ["account.created"] }, "url must be an absolute http(s) URL"],
    [
      "an ftp url",
      { url: "ftp://example.com/x", events: ["account.created"] },
      "url must be an absolute http(s) URL",
    ],
    ["a non-string url", { url: 42, events: ["account.created"] }, "url must be an absolute http(s) URL"],
    ["a missing url", { events: ["account.created"] }, "url is required"],
    [
      "a url over 2083 characters",
      { url: `https://example.com/${"a".repeat(2100)}`, events: ["account.created"] },
      "url must be at most 2083 characters long",
    ],
    ["a missing events", { url: "https://example.com" }, "events is required"],
    ["empty events", { url: "https://example.com", events: [] }, "events must be a non-empty array"],
    [
      "events as a string",
      { url: "https://example.com", events: "account.created" },
      "events must be a non-empty array",
    ],
    [
      "an unknown event type",
      { url: "https://example.com", events: ["account.created", "account.exploded"] },
      'events contains unknown event type(s) "account.exploded"',
    ],
    [
      "a repeated event type",
      { url: "https://example.com", events: ["account.created", "account.created"] },
      "events must not list the same type twice",
    ],
    ["a JSON array body", [], "request body must be a JSON object"],
  ])("answers 422 to POST /v1/webhooks with %s, naming the field", async (_label, body, message) => {
    // Act
    const response = await call(emu, "POST", "/webhooks", { body });

    // Assess
    expect(response.status).toBe(422);
    expect((response.json as { message: string }).message).toContain(message);
    expect(emu.webhooks()).toEqual([]);
  });

  it("answers 400 to malformed JSON and 422 to an empty body", async () => {
    // Act
    const malformed = await call(emu, "POST", "/webhooks", { body: '{"url": ' });
    const empty = await call(emu, "POST", "/webhooks", { body: "" });

    // Assess
    expect(malformed.status).toBe(400);
    expect((malformed.json as { message: string }).message).toMatch(/^request body is not valid JSON \(/);
    expect(empty.status).toBe(422);
    expect((empty.json as { message: string }).message).toMatch(/^request body is required/);
  });

  it("answers 404 to DELETE of an unknown webhook", async () => {
    // Act
    const response = await call(emu, "DELETE", "/webhooks/wbh_00000000000000000000000000000000");

    // Assess
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      message: 'no webhook with id "wbh_00000000000000000000000000000000"; list them with GET /v1/webhooks',
    });
  });

  it("answers 404 to an unknown route and 405 with Allow to a wrong method", async () => {
    // Act
    const unknown = await call(emu, "GET", "/orders");
    const wrongMethod = await call(emu, "PUT", "/webhooks", { body: "{}" });

    // Assess
    expect(unknown.status).toBe(404);
    expect((unknown.json as { message: string }).message).toMatch(/^no route \/v1\/orders/);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST, GET");
    expect(wrongMethod.json).toEqual({ message: "method PUT is not allowed here; use POST or GET" });
  });

  it("records every API request with the Authorization header redacted", async () => {
    // Act
    await call(emu, "POST", "/webhooks?x=1", {
      body: { url: "https://example.com", events: ["account.created"] },
    });
    await call(emu, "GET", "/webhooks", { headers: goodHeaders("wrong-key") });

    // Assess
    expect(
      emu.requests.map(({ method, path, query, authorized, body }) => ({
        method,
        path,
        query,
        authorized,
        body,
      })),
    ).toEqual([
      {
        method: "POST",
        path: "/v1/webhooks",
        query: { x: "1" },
        authorized: true,
        body: { url: "https://example.com", events: ["account.created"] },
      },
      { method: "GET", path: "/v1/webhooks", query: {}, authorized: false, body: undefined },
    ]);
    expect(emu.requests[0]!.headers.authorization).toBe("[REDACTED]");
    expect(emu.requests[0]!.headers["lmg-data-privacy-access-principal"]).toBe("nobody");
    expect(JSON.stringify(emu.requests)).not.toContain(API_KEY);
  });
});

describe("Emulator: pagination", () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY] });
  });

  afterEach(async () => {
    await emu.close();
  });

  it("pages 7 webhooks with limit=2 into 2, 2, 2, 1, in registration order, each exactly once", async () => {
    // Prepare
    const registered = [];
    for (let index = 0; index < 7; index += 1) {
      registered.push(await register(emu, `https://example.com/${index}`, ["account.created"]));
    }

    // Act
    const pages = await allPages<{ id: string }>(emu, "/webhooks?limit=2", 2);

    // Assess
    expect(pages.map((page) => page.data.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flatMap((page) => page.data)).toEqual(registered);
    expect(pages.map((page) => page.pagination.next_cursor === null)).toEqual([false, false, false, true]);
  });

  it("continues after a webhook deleted between pages without repeating or skipping the others", async () => {
    // Prepare
    const ids = [];
    for (let index = 0; index < 4; index += 1)
      ids.push((await register(emu, "https://example.com", ["account.created"])).id);
    const first = (await call(emu, "GET", "/webhooks?limit=2")).json as Page<{ id: string }>;
    await call(emu, "DELETE", `/webhooks/${ids[1]}`);

    // Act
    const rest = (await call(emu, "GET", `/webhooks?limit=2&cursor=${first.pagination.next_cursor}`))
      .json as Page<{
      id: string;
    }>;

    // Assess
    expect(first.data.map((webhook) => webhook.id)).toEqual(ids.slice(0, 2));
    expect(rest.data.map((webhook) => webhook.id)).toEqual(ids.slice(2));
    expect(rest.pagination.next_cursor).toBeNull();
  });

  it.each(["0", "101", "2.5", "abc", ""])("answers 422 to limit=%j", async (limit) => {
    // Act
    const response = await call(emu, "GET", `/webhooks?limit=${limit}`);

    // Assess
    expect(response.status).toBe(422);
    expect((response.json as { message: string }).message).toBe(
      `limit must be an integer from 1 to 100; got ${JSON.stringify(limit)}`,
    );
  });

  it("refuses an events cursor on the webhooks listing", async () => {
    // Prepare
    emu.emit("account.created", { account: "cusa_1" });
    emu.emit("account.created", { account: "cusa_2" });
    const cursor = ((await call(emu, "GET", "/events?limit=1")).json as Page<unknown>).pagination.next_cursor;

    // Act
    const response = await call(emu, "GET", `/webhooks?cursor=${cursor}`);

    // Assess
    expect(response.status).toBe(400);
    expect((response.json as { message: string }).message).toMatch(
      /^cursor is not a cursor this server issued/,
    );
  });
});

describe("Emulator: GET /v1/events", () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY] });
  });

  afterAll(async () => {
    await emu.close();
  });

  const TYPES = ["account.created", "account.opened", "order.executed"] as const;
  const ACCOUNTS = ["cusa_a", "cusa_b"] as const;

  it("returns exactly the filtered events in the requested order across pages, for any filters and limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...TYPES), fc.constantFrom(...ACCOUNTS)), { maxLength: 12 }),
        fc.record({
          type: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
          account: fc.option(fc.constantFrom(...ACCOUNTS), { nil: undefined }),
          sort: fc.option(fc.constantFrom("asc", "desc"), { nil: undefined }),
          sinceIndex: fc.option(fc.nat(12), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 5 }),
        }),
        async (emits, query) => {
          // Prepare
          const before = emu.events().length;
          const emitted = emits.map(([type, account]) => emu.emit(type, { account }));
          const since = query.sinceIndex === undefined ? undefined : emitted[query.sinceIndex]?.created_at;
          const params = new URLSearchParams({ limit: String(query.limit) });
          if (query.type) params.set("type", query.type);
          if (query.account) params.set("context.account", query.account);
          if (query.sort) params.set("sort", query.sort);
          params.set("since", since ?? emu.events()[before]?.created_at ?? "2999-01-01T00:00:00Z");

          // Act
          const pages = await allPages<LemonEvent>(emu, `/events?${params}`, query.limit);

          // Assess
          const startIndex = since === undefined ? 0 : query.sinceIndex!;
          let expected = emitted
            .slice(startIndex)
            .filter((event) => query.type === undefined || event.type === query.type)
            .filter((event) => query.account === undefined || event.context.account === query.account);
          if (query.sort !== "asc") expected = expected.reverse();
          expect(pages.flatMap((page) => page.data)).toEqual(expected);
          expect(pages.slice(0, -1).every((page) => page.data.length === query.limit)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("includes an event created exactly at `since` and excludes the one a microsecond earlier", async () => {
    // Prepare
    const earlier = emu.emit("tax.created", { account: "cusa_since" });
    const boundary = emu.emit("tax.created", { account: "cusa_since" });

    // Act
    const response = await call(
      emu,
      "GET",
      `/events?context.account=cusa_since&since=${encodeURIComponent(boundary.created_at)}`,
    );

    // Assess
    expect((response.json as Page<LemonEvent>).data).toEqual([boundary]);
    expect(earlier.created_at < boundary.created_at).toBe(true);
  });

  it("keeps the filters in the cursor, so the next page needs nothing but the cursor", async () => {
    // Prepare
    const mine = [1, 2, 3].map(() =>
      emu.emit("deposit.created", { account: "cusa_cursor", deposit: "dep_1" }),
    );
    emu.emit("deposit.created", { account: "cusa_other", deposit: "dep_2" });
    const first = (await call(emu, "GET", "/events?context.account=cusa_cursor&sort=asc&limit=2"))
      .json as Page<LemonEvent>;

    // Act
    const second = (await call(emu, "GET", `/events?cursor=${first.pagination.next_cursor}`))
      .json as Page<LemonEvent>;

    // Assess
    expect(first.data).toEqual(mine.slice(0, 2));
    expect(second).toEqual({ data: [mine[2]], pagination: { next_cursor: null } });
  });

  it.each([
    ["type=account.exploded", "type must be a published event type"],
    ["since=yesterday", "since must be an RFC 3339 date-time with offset"],
    ["since=2023-06-29T14:40:30", "since must be an RFC 3339 date-time with offset"],
    ["since=2023-02-30T00:00:00Z", "since must be an RFC 3339 date-time with offset"],
    ["sort=newest", "sort must be asc or desc"],
  ])("answers 422 to %s naming the parameter", async (query, message) => {
    // Act
    const response = await call(emu, "GET", `/events?${query}`);

    // Assess
    expect(response.status).toBe(422);
    expect((response.json as { message: string }).message).toContain(message);
  });
});

describe("Emulator: admin routes", () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], delivery: { maxAttempts: 1 } });
  });

  afterEach(async () => {
    await emu.close();
  });

  const admin = (path: string, init?: RequestInit) =>
    fetch(emu.baseUrl.replace(/\/v1$/, "/_emulator") + path, init);

  it("emits an event on POST /_emulator/events and lists attempts on GET /_emulator/deliveries", async () => {
    // Prepare
    await register(emu, "http://127.0.0.1:1/unreachable", ["account.created"]);

    // Act
    const emitted = await admin("/events", {
      method: "POST",
      body: JSON.stringify({ type: "account.created", context: { account: "cusa_admin" } }),
    });
    await emu.waitForDeliveries();
    const deliveries = await admin("/deliveries");

    // Assess
    expect(emitted.status).toBe(201);
    const event = (await emitted.json()) as LemonEvent;
    expect(emu.events()).toEqual([event]);
    expect(deliveries.status).toBe(200);
    expect(await deliveries.json()).toEqual({ data: JSON.parse(JSON.stringify(emu.deliveries)) });
    expect(emu.deliveries.map((attempt) => [attempt.eventId, attempt.error])).toEqual([
      [event.id, "ECONNREFUSED"],
    ]);
    expect(emu.requests.map((request) => request.path)).toEqual(["/v1/webhooks"]);
  });

  it("answers 422 to an unknown event type and 405 to a wrong method", async () => {
    // Act
    const unknown = await admin("/events", {
      method: "POST",
      body: JSON.stringify({ type: "nope", context: {} }),
    });
    const wrong = await admin("/deliveries", { method: "DELETE" });

    // Assess
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/^type must be a published/);
    expect(wrong.status).toBe(405);
    expect(emu.events()).toEqual([]);
  });
});
