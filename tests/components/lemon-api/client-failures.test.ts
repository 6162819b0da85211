/**
 * How the client fails: classification (http / network / timeout), what is retried and how long it waits,
 * whether a failed create may have committed, and that no error ever carries a secret.
 */

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { createLemonClient, type LemonClient, type LemonClientOptions } from "../../../components/lemon-api";
import { everyRendering, recordingSleep, rejection } from "../../support/capture";
import { type ScriptedServer, startScriptedServer } from "../../support/scripted-server";

const API_KEY = "sk_test_failures_c0ffee42";
const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
const HOOK = {
  id: "wbh_1",
  url: "https://example.com/lemon",
  events: ["account.created"],
  signature_secret: SECRET,
};
const INPUT = { url: HOOK.url, events: HOOK.events };
const EMPTY_PAGE = { data: [], pagination: { next_cursor: null } };

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("Function: createLemonClient (failures)", () => {
  let server: ScriptedServer;
  let waits: number[];
  let client: LemonClient;
  const make = (overrides: Partial<LemonClientOptions> = {}): LemonClient => {
    const recorder = recordingSleep();
    waits = recorder.waits;
    return createLemonClient({
      apiKey: API_KEY,
      baseUrl: server.baseUrl,
      sleep: recorder.sleep,
      random: () => 0.5,
      ...overrides,
    });
  };

  beforeEach(async () => {
    server = await startScriptedServer();
    client = make();
  });

  afterEach(async () => {
    await server.close();
  });

  describe("createWebhook", () => {
    it("is sent once on a 503 and reports it as retryable but not committed", async () => {
      // Prepare
      server.script({ status: 503, body: { message: "Service Unavailable" } });

      // Act
      const error = await rejection(client.createWebhook(INPUT));

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(error).toMatchObject({
        operation: "create_webhook",
        kind: "http",
        status: 503,
        apiMessage: "Service Unavailable",
      });
      expect(error).toMatchObject({ retryable: true, mayHaveCommitted: false, attempts: 1 });
    });

    it.each([500, 502, 504])(
      "is sent once on a %i and reports that it may have committed",
      async (status) => {
        // Prepare
        server.script({ status, body: { message: "boom" } });

        // Act
        const error = await rejection(client.createWebhook(INPUT));

        // Assess
        expect(server.requests).toHaveLength(1);
        expect(error).toMatchObject({ kind: "http", status, mayHaveCommitted: true, attempts: 1 });
      },
    );

    it("reports a connection reset after sending as a network error that may have committed", async () => {
      // Prepare
      server.script({ destroy: true });

      // Act
      const error = await rejection(client.createWebhook(INPUT));

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error).toMatchObject({
        kind: "network",
        code: "ECONNRESET",
        mayHaveCommitted: true,
        attempts: 1,
      });
      expect(error.message).toBe(
        "lemon.markets create_webhook failed: network error ECONNRESET (socket hang up) — the webhook may have been created anyway: list webhooks and adopt the one with this url and events before creating again",
      );
    });

    it("reports a refused connection as a network error that cannot have committed", async () => {
      // Prepare
      const refused = make({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });

      // Act
      const error = await rejection(refused.createWebhook(INPUT));

      // Assess
      expect(error).toMatchObject({
        kind: "network",
        code: "ECONNREFUSED",
        mayHaveCommitted: false,
        retryable: true,
        attempts: 1,
      });
      expect(waits).toEqual([]);
    });

    it("reports a missing answer within timeoutMs as a timeout that may have committed", async () => {
      // Prepare
      server.script({ hang: true });
      const impatient = make({ timeoutMs: 150 });

      // Act
      const error = await rejection(impatient.createWebhook(INPUT));

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error).toMatchObject({ kind: "timeout", mayHaveCommitted: true, attempts: 1 });
      expect(error.message).toMatch(
        /^lemon\.markets create_webhook failed: no response within 150 ms — the webhook may have been created anyway/,
      );
    });

    it("tells the caller to adopt when a 201 has an unreadable body, without quoting the body", async () => {
      // Prepare
      server.script({ status: 201, raw: `{"id":"wbh_1","signature_secret":"${SECRET}"` });

      // Act
      const error = await rejection(client.createWebhook(INPUT));

      // Assess
      expect(error).toMatchObject({ kind: "http", status: 201, mayHaveCommitted: true, retryable: false });
      expect(error.message).toMatch(
        /^lemon\.markets create_webhook failed: HTTP 201 Created: unexpected response: response body is not JSON — the webhook may have been created anyway/,
      );
      expect(everyRendering(error)).not.toContain(SECRET);
    });
  });

  describe("retries of idempotent operations", () => {
    it("retries list after two 503s and a reset, waiting the full-jitter backoff", async () => {
      // Prepare
      server.script(
        { status: 503 },
        { destroy: true },
        { status: 503 },
        { status: 200, body: { data: [HOOK], pagination: {} } },
      );

      // Act
      const hooks = await client.listWebhooks();

      // Assess
      expect(hooks).toEqual([HOOK]);
      expect(server.requests).toHaveLength(4);
      expect(waits).toEqual([100, 200, 400]);
    });

    it("gives up after retries + 1 attempts with the last status", async () => {
      // Prepare
      server.script(...Array.from({ length: 5 }, () => ({ status: 502, body: { message: "Bad Gateway" } })));

      // Act
      const error = await rejection(client.listWebhooks());

      // Assess
      expect(server.requests).toHaveLength(5);
      expect(waits).toEqual([100, 200, 400, 800]);
      expect(error).toMatchObject({
        operation: "list_webhooks",
        status: 502,
        attempts: 5,
        retryable: true,
        mayHaveCommitted: false,
      });
    });

    it("does not retry at all with retries: 0", async () => {
      // Prepare
      server.script({ status: 503 });
      const once = make({ retry: { retries: 0 } });

      // Act
      const error = await rejection(once.listEvents());

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error.attempts).toBe(1);
    });

    it.each([400, 401, 403, 404, 422])("does not retry a %i", async (status) => {
      // Prepare
      server.script({ status, body: { message: "no" } });

      // Act
      const error = await rejection(client.listEvents());

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error).toMatchObject({ status, retryable: false, attempts: 1 });
    });

    it("honours a Retry-After HTTP-date on a 429, measured with the injected clock", async () => {
      // Prepare
      const now = Date.parse("2025-03-01T10:00:00Z");
      const timed = make({ now: () => now });
      server.script(
        { status: 429, headers: { "retry-after": "Sat, 01 Mar 2025 10:00:03 GMT" } },
        { status: 204 },
      );

      // Act
      await timed.deleteWebhook("wbh_1");

      // Assess
      expect(waits).toEqual([3000]);
      expect(server.requests).toHaveLength(2);
    });

    it("caps a long Retry-After at retry.maxRetryAfterMs", async () => {
      // Prepare
      const capped = make({ retry: { maxRetryAfterMs: 2000 } });
      server.script({ status: 503, headers: { "retry-after": "3600" } }, { status: 200, body: EMPTY_PAGE });

      // Act
      await capped.listEvents();

      // Assess
      expect(waits).toEqual([2000]);
    });

    it("falls back to backoff when a 429 has no readable Retry-After", async () => {
      // Prepare
      server.script({ status: 429, headers: { "retry-after": "soon" } }, { status: 200, body: EMPTY_PAGE });

      // Act
      await client.listEvents();

      // Assess
      expect(waits).toEqual([100]);
    });

    it("reports a delete that first dropped and then found nothing as a 404 that may have committed", async () => {
      // Prepare
      server.script({ destroy: true }, { status: 404, body: { message: "Webhook not found" } });

      // Act
      const error = await rejection(client.deleteWebhook("wbh_1"));

      // Assess
      expect(error).toMatchObject({
        status: 404,
        apiMessage: "Webhook not found",
        attempts: 2,
        mayHaveCommitted: true,
      });
    });

    it("does not follow a redirect, which would resend the key elsewhere", async () => {
      // Prepare
      server.script({ status: 307, headers: { location: "http://127.0.0.1:1/steal" } });

      // Act
      const error = await rejection(client.listWebhooks());

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error.message).toBe(
        "lemon.markets list_webhooks failed: HTTP 307 Temporary Redirect — unexpected redirect: check baseUrl",
      );
    });
  });

  describe("secret hygiene", () => {
    const cases: [string, () => Promise<unknown>][] = [
      [
        "an HTTP 401",
        async () => {
          server.script({ status: 401, body: { message: "Unauthorized" } });
          return client.listWebhooks();
        },
      ],
      [
        "an HTTP 422 whose message echoes the key",
        async () => {
          server.script({ status: 422, body: { message: `key ${API_KEY} may not do this` } });
          return client.createWebhook(INPUT);
        },
      ],
      [
        "a retried 500",
        async () => {
          server.script(...Array.from({ length: 5 }, () => ({ status: 500 })));
          return client.deleteWebhook("wbh_1");
        },
      ],
      [
        "a connection reset",
        async () => {
          server.script({ destroy: true });
          return client.createWebhook(INPUT);
        },
      ],
      [
        "a refused connection",
        async () => make({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` }).listEvents(),
      ],
      [
        "a timeout",
        async () => {
          server.script({ hang: true });
          return make({ timeoutMs: 100 }).createWebhook(INPUT);
        },
      ],
      [
        "a malformed 201 holding a secret",
        async () => {
          server.script({ status: 201, body: { ...HOOK, id: 42 } });
          return client.createWebhook(INPUT);
        },
      ],
      [
        "a malformed page holding a secret",
        async () => {
          server.script({ status: 200, body: { data: [{ ...HOOK, url: null }], pagination: {} } });
          return client.listWebhooks();
        },
      ],
    ];

    it.each(cases)("keeps the API key and signature secrets out of %s", async (_label, act) => {
      // Act
      const error = await rejection(act());

      // Assess
      const rendered = everyRendering(error);
      expect(rendered).toContain("lemon.markets");
      expect(rendered).not.toContain(API_KEY);
      expect(rendered).not.toContain(SECRET);
      expect(rendered).not.toMatch(/authorization|bearer/i);
      expect("cause" in error).toBe(false);
      expect("config" in error).toBe(false);
      expect("request" in error).toBe(false);
    });

    it("replaces an echoed key in the API message with [redacted]", async () => {
      // Prepare
      server.script({ status: 422, body: { message: `key ${API_KEY} may not do this` } });

      // Act
      const error = await rejection(client.createWebhook(INPUT));

      // Assess
      expect(error.apiMessage).toBe("key [redacted] may not do this");
    });
  });
});
