import fc from "fast-check";
import { type Emulator, startEmulator } from "../../emulator";
import { EventsApiError } from "../../lambda/reconcile/errors";
import { createEventsApi, type EventsApiOptions } from "../../lambda/reconcile/events-api";

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
