import { createServer, type ServerResponse } from "node:http";
import { inspect } from "node:util";
import fc from "fast-check";
import { type Emulator, startEmulator } from "../../../emulator";
import { ApiKeyFormatError, EventsApiError } from "../../../lambda/reconciler/errors";
import { createEventsApi, type EventsApiOptions } from "../../../lambda/reconciler/events-api";

const KEY = "lm-events-api-test-key-5d1f0c";

async function collect(pages: AsyncIterable<readonly unknown[]>): Promise<unknown[][]> {
  const all: unknown[][] = [];
  for await (const page of pages) all.push([...page]);
  return all;
}

describe("Function: createEventsApi against the emulator", () => {
  let emulator: Emulator;
  let sleeps: number[];
  let options: EventsApiOptions;

  beforeEach(async () => {
    emulator = await startEmulator({ apiKeys: [KEY], seed: 3 });
    sleeps = [];
    options = {
      baseUrl: emulator.baseUrl,
      apiKey: KEY,
      privacyPrincipal: "ops-bot",
      privacyJustification: "reconcile",
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    };
  });

  afterEach(async () => {
    await emulator.close();
  });

  it("reads every event since the timestamp, oldest first, 100 per page", async () => {
    // Prepare
    const old = emulator.emit("account.created", { account: "cusa_old" });
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    const emitted = Array.from({ length: 205 }, (_, i) =>
      emulator.emit("order.executed", { order: `ord_${i}` }),
    );

    // Act
    const pages = await collect(createEventsApi(options).pages({ since }));

    // Assess
    expect(pages.map((p) => p.length)).toEqual([100, 100, 5]);
    expect(pages.flat()).toEqual(emitted);
    expect(pages.flat()).not.toContainEqual(old);
    const requests = emulator.requests.filter((r) => r.path === "/v1/events");
    expect(requests.map((r) => r.query)).toEqual([
      { since, sort: "asc", limit: "100" },
      { cursor: expect.any(String), limit: "100" },
      { cursor: expect.any(String), limit: "100" },
    ]);
    expect(requests[0]!.headers).toMatchObject({
      authorization: "[REDACTED]",
      "lmg-data-privacy-access-principal": "ops-bot",
      "lmg-data-privacy-access-justification": "reconcile",
      accept: "application/json",
      "user-agent": "lemon-webhooks-reconciler",
    });
  });

  it("sends the one type filter when asked", async () => {
    // Prepare
    emulator.emit("account.created", { account: "cusa_1" });
    const wanted = emulator.emit("order.executed", { order: "ord_1" });

    // Act
    const pages = await collect(
      createEventsApi(options).pages({ since: "2020-01-01T00:00:00Z", type: "order.executed" }),
    );

    // Assess
    expect(pages).toEqual([[wanted]]);
  });

  it("retries 429 honouring Retry-After and 5xx with backoff, then succeeds", async () => {
    // Prepare
    const event = emulator.emit("account.created", { account: "cusa_1" });
    emulator.faults.enqueue({ route: "GET /v1/events", fault: { kind: "retryAfter", seconds: 2 } });
    emulator.faults.enqueue({ route: "GET /v1/events", fault: { kind: "status", status: 503 }, times: 2 });

    // Act
    const pages = await collect(createEventsApi(options).pages({ since: "2020-01-01T00:00:00Z" }));

    // Assess
    expect(pages).toEqual([[event]]);
    // 2 s as asked, then full-jitter backoff (random 0.5) of the 2nd and 3rd retry: 0.5*400, 0.5*800.
    expect(sleeps).toEqual([2000, 200, 400]);
  });

  it("gives up after the retries with an error that never contains the key", async () => {
    // Prepare
    emulator.faults.enqueue({ route: "GET /v1/events", fault: { kind: "status", status: 500 }, times: 5 });

    // Act
    const error = await collect(createEventsApi(options).pages({ since: "2020-01-01T00:00:00Z" })).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(EventsApiError);
    expect(error).toMatchObject({ kind: "http", status: 500, attempts: 5 });
    expect((error as Error).message).toBe("GET /v1/events failed after 5 attempt(s): HTTP 500");
    expect(sleeps).toHaveLength(4);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it("does not retry a rejected key and says how to fix it", async () => {
    // Act
    const error = await collect(
      createEventsApi({ ...options, apiKey: "wrong-key" }).pages({ since: "2020-01-01T00:00:00Z" }),
    ).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe(
      "GET /v1/events failed after 1 attempt(s): HTTP 401: lemon.markets rejected the API key; set a valid one (pulumi config set --secret lemonmarkets:apiKey <key>) and redeploy",
    );
    expect(sleeps).toEqual([]);
    expect((error as Error).message).not.toContain("wrong-key");
  });

  it("fails on a network error after the retries, without the key in the error", async () => {
    // Prepare
    const baseUrl = emulator.baseUrl;
    await emulator.close();

    // Act
    const error = await collect(
      createEventsApi({ ...options, baseUrl }).pages({ since: "2020-01-01T00:00:00Z" }),
    ).catch((e: unknown) => e);
    emulator = await startEmulator({ apiKeys: [KEY] });

    // Assess
    expect(error).toMatchObject({ kind: "network", status: undefined, attempts: 5 });
    expect((error as Error).message).toBe("GET /v1/events failed after 5 attempt(s): network");
    // fetch's own error is not kept: its messages may quote header values.
    expect((error as Error).cause).toBeUndefined();
    expect(inspect(error, { depth: 10 })).not.toContain("[cause]");
  });
});

describe("Function: createEventsApi against a misbehaving server", () => {
  it("rejects a body that is not a page, and stops when the server repeats a cursor", async () => {
    // Prepare
    const { createServer } = await import("node:http");
    let calls = 0;
    const server = createServer((req, res) => {
      calls += 1;
      res.setHeader("content-type", "application/json");
      res.end(
        req.url?.includes("shape") ? '{"items":[]}' : '{"data":[],"pagination":{"next_cursor":"same"}}',
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const base = { apiKey: KEY, privacyPrincipal: "p", privacyJustification: "j" };

    // Act
    const shape = await collect(
      createEventsApi({ ...base, baseUrl: `http://127.0.0.1:${port}/shape` }).pages({
        since: "2020-01-01T00:00:00Z",
      }),
    ).catch((e: unknown) => e);
    const loop = await collect(
      createEventsApi({ ...base, baseUrl: `http://127.0.0.1:${port}/v1` }).pages({
        since: "2020-01-01T00:00:00Z",
      }),
    ).catch((e: unknown) => e);
    await new Promise((r) => server.close(r));

    // Assess
    expect((shape as Error).message).toBe(
      "GET /v1/events failed after 1 attempt(s): the body is not a page {data, pagination}",
    );
    expect((loop as Error).message).toBe(
      "GET /v1/events failed after 1 attempt(s): the API repeated a cursor",
    );
    expect(calls).toBe(3);
  });

  it("never waits longer than the backoff ceiling, whatever the jitter source returns", () => {
    // The schedule is observable through the sleeps of a server that always answers 503.
    return fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { minLength: 4, maxLength: 4 }),
        async (draws) => {
          // Prepare
          const { createServer } = await import("node:http");
          const server = createServer((_req, res) => {
            res.statusCode = 503;
            res.end("{}");
          });
          await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
          const port = (server.address() as { port: number }).port;
          const sleeps: number[] = [];
          let i = 0;
          const api = createEventsApi({
            baseUrl: `http://127.0.0.1:${port}/v1`,
            apiKey: KEY,
            privacyPrincipal: "p",
            privacyJustification: "j",
            sleep: async (ms) => {
              sleeps.push(ms);
            },
            random: () => draws[i++ % draws.length]!,
          });

          // Act
          await collect(api.pages({ since: "2020-01-01T00:00:00Z" })).catch(() => undefined);
          await new Promise((r) => server.close(r));

          // Assess
          expect(sleeps).toHaveLength(4);
          sleeps.forEach((ms, retry) => {
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(ms).toBeLessThanOrEqual(Math.min(5000, 200 * 2 ** retry));
          });
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("Function: createEventsApi with a malformed API key", () => {
  const base = { baseUrl: "http://127.0.0.1:9/v1", privacyPrincipal: "p", privacyJustification: "j" };

  it.each([
    ["a trailing line break", `${KEY}\n`],
    ["a space inside", "lm key"],
    ["a non-ASCII character", `${KEY}é`],
    ["nothing at all", ""],
  ])(
    "refuses a key with %s before any request, naming the config key and never quoting the key",
    (_, apiKey) => {
      // Act
      const error = (() => {
        try {
          createEventsApi({ ...base, apiKey });
        } catch (e) {
          return e;
        }
        return undefined;
      })();

      // Assess
      expect(error).toBeInstanceOf(ApiKeyFormatError);
      expect((error as Error).message).toBe(
        "the lemon.markets API key in the reconciler's secret is not a valid HTTP header value (printable ASCII, no spaces or line breaks); set it again with `pulumi config set --secret lemonmarkets:apiKey <key>` and run `pulumi up`",
      );
      expect((error as Error).cause).toBeUndefined();
      if (apiKey !== "") expect(inspect(error, { depth: 10 })).not.toContain(apiKey.trim());
    },
  );

  it("accepts exactly the keys that can be sent as a header", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: "binary" }), (apiKey) => {
        // Act
        const act = () => createEventsApi({ ...base, apiKey });

        // Assess
        if (/^[\x21-\x7e]+$/.test(apiKey)) expect(act).not.toThrow();
        else expect(act).toThrow(ApiKeyFormatError);
      }),
      { numRuns: 200 },
    );
  });

  it("never echoes any part of a refused key", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{12,32}$/),
        fc.constantFrom(" ", "\n", "\r\n", "\t", "é", "\u0000", "€"),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/),
        (head, bad, tail) => {
          // Act
          let thrown: unknown;
          try {
            createEventsApi({ ...base, apiKey: `${head}${bad}${tail}` });
          } catch (e) {
            thrown = e;
          }

          // Assess
          expect(thrown).toBeInstanceOf(ApiKeyFormatError);
          expect(inspect(thrown, { depth: 10 })).not.toContain(head);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("Function: createEventsApi and the run's deadline", () => {
  const NOW = Date.parse("2026-07-20T10:00:00.000Z");

  async function serve(handler: (res: ServerResponse) => void) {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests += 1;
      handler(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    return {
      baseUrl: `http://127.0.0.1:${port}/v1`,
      requests: () => requests,
      close: () => {
        server.closeAllConnections();
        return new Promise((r) => server.close(r));
      },
    };
  }

  function pager(baseUrl: string, sleeps: number[], now: () => number) {
    return createEventsApi({
      baseUrl,
      apiKey: KEY,
      privacyPrincipal: "p",
      privacyJustification: "j",
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      now,
    });
  }

  it("does not wait for a Retry-After that would end past the deadline, and stops with kind deadline", async () => {
    // Prepare
    const server = await serve((res) => {
      res.statusCode = 429;
      res.setHeader("retry-after", "10");
      res.end("{}");
    });
    const sleeps: number[] = [];

    // Act
    const error = await collect(
      pager(server.baseUrl, sleeps, () => NOW).pages(
        { since: "2020-01-01T00:00:00Z" },
        { deadlineMs: NOW + 5_000 },
      ),
    ).catch((e: unknown) => e);
    await server.close();

    // Assess
    expect(error).toBeInstanceOf(EventsApiError);
    expect(error).toMatchObject({ kind: "deadline", attempts: 1 });
    expect(sleeps).toEqual([]);
    expect(server.requests()).toBe(1);
  });

  it("waits for a Retry-After that leaves time for the next request before the deadline", async () => {
    // Prepare
    let calls = 0;
    const server = await serve((res) => {
      calls += 1;
      if (calls === 1) {
        res.statusCode = 429;
        res.setHeader("retry-after", "3");
        res.end("{}");
        return;
      }
      res.end('{"data":[],"pagination":{"next_cursor":null}}');
    });
    const sleeps: number[] = [];

    // Act
    const pages = await collect(
      pager(server.baseUrl, sleeps, () => NOW).pages(
        { since: "2020-01-01T00:00:00Z" },
        { deadlineMs: NOW + 5_000 },
      ),
    );
    await server.close();

    // Assess
    expect(pages).toEqual([[]]);
    expect(sleeps).toEqual([3_000]);
  });

  it("starts no request with less than a second left", async () => {
    // Prepare
    const server = await serve((res) => res.end('{"data":[]}'));
    const sleeps: number[] = [];

    // Act
    const error = await collect(
      pager(server.baseUrl, sleeps, () => NOW).pages(
        { since: "2020-01-01T00:00:00Z" },
        { deadlineMs: NOW + 999 },
      ),
    ).catch((e: unknown) => e);
    await server.close();

    // Assess
    expect(error).toMatchObject({ kind: "deadline", attempts: 0 });
    expect(server.requests()).toBe(0);
  });

  it("cuts a hanging request off at the deadline rather than at its own 10 s timeout", async () => {
    // Prepare: the server never answers.
    const server = await serve(() => undefined);
    const sleeps: number[] = [];
    const started = Date.now();

    // Act
    const error = await collect(
      pager(server.baseUrl, sleeps, Date.now).pages(
        { since: "2020-01-01T00:00:00Z" },
        { deadlineMs: started + 1_200 },
      ),
    ).catch((e: unknown) => e);
    await server.close();

    // Assess: the one request was aborted (timeout) and no retry fitted before the deadline.
    expect(error).toMatchObject({ kind: "deadline", attempts: 1 });
    expect(server.requests()).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
