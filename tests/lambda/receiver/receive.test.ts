import fc from "fast-check";
import type { ReceiveRequest } from "../../../lambda/receiver/receive";
import { sign } from "../../../contract/signature";
import { BODY, EVENT, eventBody, SECRET, signedRequest } from "../../support/events";
import { T0, testReceiver } from "../../support/ports";

function withHeader(request: ReceiveRequest, value: string | undefined): ReceiveRequest {
  return { ...request, headers: { "content-type": "application/json", "lemon-markets-signature": value } };
}

describe("Function: createReceiver — authentication", () => {
  it("stores a correctly signed event exactly as received with one write and answers 200", async () => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    const response = await t.receive(signedRequest());

    // Assess
    expect(response).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: '{"status":"stored"}',
    });
    expect([...t.store.items.values()]).toEqual([
      {
        id: EVENT.id,
        type: EVENT.type,
        createdAt: EVENT.created_at,
        body: BODY,
        via: "webhook",
        receivedAtMs: T0,
      },
    ]);
    expect(t.store.calls).toEqual([`store ${EVENT.id}`]);
  });

  it("finds the signature header whatever its case", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    const request = { ...signedRequest(), headers: { "LEMON-Markets-SIGNATURE": sign(BODY, SECRET) } };

    // Act
    const response = await t.receive(request);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(t.store.items.size).toBe(1);
  });

  const base = signedRequest();
  const good = sign(BODY, SECRET);
  it.each<[string, ReceiveRequest]>([
    ["a missing signature header", { ...base, headers: { "content-type": "application/json" } }],
    ["an empty signature", withHeader(base, "")],
    ["a whitespace-only signature", withHeader(base, "   ")],
    ["a signature made with the wrong secret", withHeader(base, sign(BODY, "not-the-secret"))],
    ["a truncated signature", withHeader(base, good.slice(0, 63))],
    ["an oversized signature header", withHeader(base, good + "0".repeat(2000))],
    [
      "a signature in the wrong encoding (base64 instead of hex)",
      withHeader(base, Buffer.from(good, "hex").toString("base64")),
    ],
    ["a tampered body", { ...base, body: BODY.replace("cusa_3", "cusa_4") }],
    ["a body claimed to be base64 that is not (lying isBase64Encoded)", { ...base, isBase64Encoded: true }],
    [
      "a base64 body passed off as text (lying isBase64Encoded)",
      { ...base, body: Buffer.from(BODY).toString("base64"), isBase64Encoded: false },
    ],
  ])("rejects %s with 401 and stores nothing", async (_label, request) => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    const response = await t.receive(request);

    // Assess
    expect(response).toEqual({
      statusCode: 401,
      headers: { "content-type": "application/json" },
      body: '{"error":"invalid_signature"}',
    });
    expect(t.store.calls).toEqual([]);
  });

  it("accepts a base64-encoded body whose decoded bytes are signed", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    const request = { ...signedRequest(), body: Buffer.from(BODY).toString("base64"), isBase64Encoded: true };

    // Act
    const response = await t.receive(request);

    // Assess
    expect(response.statusCode).toBe(200);
    expect([...t.store.items.values()].map((e) => e.body)).toEqual([BODY]);
  });

  it("does not call Secrets Manager for a request without a signature header", async () => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    await t.receive({ ...signedRequest(), headers: {} });

    // Assess
    expect(t.secrets.currentCalls).toBe(0);
  });

  it("answers 401 to an unsigned body that is not even JSON, without saying why the body is bad", async () => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    const response = await t.receive({ ...signedRequest(), body: "not json", headers: {} });

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('{"error":"invalid_signature"}');
  });
});

describe("Function: createReceiver — method, size and envelope", () => {
  it.each(["GET", "PUT", "DELETE", "OPTIONS", "HEAD"])(
    "answers 405 with Allow: POST to %s",
    async (method) => {
      // Prepare
      const t = testReceiver(SECRET);

      // Act
      const response = await t.receive({ ...signedRequest(), method });

      // Assess
      expect(response).toEqual({
        statusCode: 405,
        headers: { "content-type": "application/json", allow: "POST" },
        body: '{"error":"method_not_allowed"}',
      });
      expect(t.store.calls).toEqual([]);
    },
  );

  it("accepts a body of exactly the limit and rejects one byte more with 413, before any MAC", async () => {
    // Prepare
    const config = { maxBodyBytes: 2_048, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 };
    const t = testReceiver(SECRET, { config });
    const padded = (n: number) =>
      eventBody("evt_fits").replace('"context":{', `"pad":"${"x".repeat(n)}","context":{`);
    const fits = padded(2_048 - Buffer.byteLength(padded(0)));
    const tooBig = fits.replace('"pad":"', '"pad":"x');

    // Act
    const ok = await t.receive(signedRequest(fits));
    const rejected = await t.receive(signedRequest(tooBig));
    const rejectedBase64 = await t.receive({
      ...signedRequest(tooBig),
      body: Buffer.from(tooBig).toString("base64"),
      isBase64Encoded: true,
    });

    // Assess
    expect(Buffer.byteLength(fits)).toBe(2_048);
    expect(ok.statusCode).toBe(200);
    expect(rejected).toEqual({
      statusCode: 413,
      headers: { "content-type": "application/json" },
      body: '{"error":"payload_too_large","limit_bytes":2048}',
    });
    expect(rejectedBase64.statusCode).toBe(413);
    expect(t.secrets.currentCalls).toBe(1);
  });

  it("measures the limit in bytes, not characters", async () => {
    // Prepare
    const config = { maxBodyBytes: 1_024, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 };
    const t = testReceiver(SECRET, { config });
    const body = JSON.stringify({ ...EVENT, note: "ä".repeat(500) }); // ~1.2 KB in UTF-8, <1,024 characters

    // Act
    const response = await t.receive(signedRequest(body));

    // Assess
    expect(body.length).toBeLessThan(1_024);
    expect(response.statusCode).toBe(413);
  });

  it.each([
    ["not JSON", "{", "body is not valid JSON"],
    ["a JSON array", "[]", "body must be a JSON object (the event envelope)"],
    [
      "missing id",
      JSON.stringify({ ...EVENT, id: undefined }),
      'field "id" must be an event id like "evt_…" (letters, digits, _ or -)',
    ],
    [
      "an id without evt_",
      eventBody("ord_123"),
      'field "id" must be an event id like "evt_…" (letters, digits, _ or -)',
    ],
    [
      "a type without a dot",
      JSON.stringify({ ...EVENT, type: "created" }),
      'field "type" must be an event type like "account.created"',
    ],
    [
      "created_at without offset",
      JSON.stringify({ ...EVENT, created_at: "2023-06-29T14:40:30" }),
      'field "created_at" must be an ISO 8601 timestamp with offset',
    ],
    [
      "context as a string",
      JSON.stringify({ ...EVENT, context: "cusa_1" }),
      'field "context" must be an object',
    ],
  ])("answers 400 naming the problem for a signed body that is %s", async (_label, body, reason) => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    const response = await t.receive(signedRequest(body));

    // Assess
    expect(response).toEqual({
      statusCode: 400,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: "invalid_envelope", reason }),
    });
    expect(t.store.calls).toEqual([]);
  });
});

describe("Function: createReceiver — storing and dedupe", () => {
  it("answers 200 to a duplicate of a stored event with one conditional write and nothing stored again", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    await t.receive(signedRequest());

    // Act
    const response = await t.receive(signedRequest());

    // Assess
    expect(response).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: '{"status":"duplicate"}',
    });
    expect(t.store.calls).toEqual([`store ${EVENT.id}`, `store ${EVENT.id}`]);
    expect(t.store.items.size).toBe(1);
  });

  it("answers 503 when the write's answer is lost although it landed, and 200 duplicate to the redelivery", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    t.store.landThenFail = 1;

    // Act
    const lost = await t.receive(signedRequest());
    const redelivered = await t.receive(signedRequest());

    // Assess
    expect(lost).toEqual({
      statusCode: 503,
      headers: { "content-type": "application/json" },
      body: '{"error":"temporarily_unavailable"}',
    });
    expect(redelivered.body).toBe('{"status":"duplicate"}');
    expect(t.store.items.size).toBe(1);
    expect(t.store.calls).toEqual([`store ${EVENT.id}`, `store ${EVENT.id}`]);
  });

  it("never answers 409: a delivery racing another copy of its event is stored or a duplicate", async () => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    const responses = await Promise.all([t.receive(signedRequest()), t.receive(signedRequest())]);

    // Assess
    expect(responses.map((r) => r.body).sort()).toEqual(['{"status":"duplicate"}', '{"status":"stored"}']);
    expect(t.store.items.size).toBe(1);
  });

  it.each([
    ["Secrets Manager", "secrets"],
    ["DynamoDB", "store"],
  ] as const)("answers 503, never 401, when %s is unavailable", async (_name, which) => {
    // Prepare
    const t = testReceiver(SECRET);
    if (which === "secrets") t.secrets.failing = true;
    else t.store.failing = true;

    // Act
    const response = await t.receive(signedRequest());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(t.store.items.size).toBe(0);
  });
});

describe("Function: createReceiver — logs and metrics", () => {
  it("writes one log line and one EMF line per request with outcome, event and latency", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    const store = t.store.store.bind(t.store);
    t.store.store = async (event, nowMs) => {
      t.clock.advance(42);
      return store(event, nowMs);
    };

    // Act
    await t.receive(signedRequest());

    // Assess
    expect(t.logs()).toEqual([
      {
        level: "info",
        timestamp: "2026-07-20T10:00:00.042Z",
        msg: "delivery",
        status: 200,
        outcome: "stored",
        eventId: EVENT.id,
        eventType: EVENT.type,
        requestId: "req-1",
        latencyMs: 42,
      },
    ]);
    expect(t.metrics()).toEqual([
      {
        _aws: {
          Timestamp: Date.parse("2026-07-20T10:00:00.042Z"),
          CloudWatchMetrics: [
            {
              Namespace: "LemonWebhooks",
              Dimensions: [["Service"]],
              Metrics: [
                { Name: "Received", Unit: "Count" },
                { Name: "Stored", Unit: "Count" },
              ],
            },
          ],
        },
        Service: "lemon-webhooks-receiver",
        Received: 1,
        Stored: 1,
      },
    ]);
  });

  it("counts a rejection under its reason", async () => {
    // Prepare
    const t = testReceiver(SECRET);

    // Act
    await t.receive({ ...signedRequest(), headers: {} });

    // Assess
    expect(t.logs()).toEqual([
      expect.objectContaining({ level: "warn", status: 401, outcome: "rejected", rejectReason: "signature" }),
    ]);
    const [emf] = t.metrics();
    expect(emf).toMatchObject({ Received: 1, Rejected: 1, Reason: "signature" });
    expect((emf!._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics).toEqual([
      {
        Namespace: "LemonWebhooks",
        Dimensions: [["Service"]],
        Metrics: [
          { Name: "Received", Unit: "Count" },
          { Name: "Rejected", Unit: "Count" },
        ],
      },
      {
        Namespace: "LemonWebhooks",
        Dimensions: [["Service", "Reason"]],
        Metrics: [{ Name: "Rejected", Unit: "Count" }],
      },
    ]);
  });

  it.each([
    ["a duplicate", "Duplicates"],
    ["a failed store", "Failed"],
  ])("counts %s", async (label, metric) => {
    // Prepare
    const t = testReceiver(SECRET);
    if (label === "a duplicate")
      await t.store.store(
        { id: EVENT.id, type: EVENT.type, createdAt: EVENT.created_at, body: BODY, via: "webhook" },
        T0,
      );
    if (label === "a failed store") t.store.failing = true;

    // Act
    await t.receive(signedRequest());

    // Assess
    const emf = t.metrics()[0]!;
    expect(Object.keys(emf).filter((k) => !["_aws", "Service"].includes(k))).toEqual(["Received", metric]);
  });

  it("never logs the secret, the signature or any header value", async () => {
    // Prepare
    const t = testReceiver(SECRET);
    const signature = sign(BODY, SECRET);
    const requests: ReceiveRequest[] = [
      { ...signedRequest(), headers: { ...signedRequest().headers, authorization: "Bearer sk_live_abc" } },
      withHeader(signedRequest(), signature.replace(/.$/, "0")),
      signedRequest(eventBody("evt_other")),
      { ...signedRequest(), method: "GET" },
    ];

    // Act
    for (const request of requests) await t.receive(request);

    // Assess
    const output = t.lines.join("\n");
    expect(t.lines).toHaveLength(8);
    for (const forbidden of [SECRET, signature, signature.slice(0, 16), "sk_live_abc", "application/json"]) {
      expect(output).not.toContain(forbidden);
    }
  });
});

describe("Function: createReceiver — properties", () => {
  const header = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }),
    fc.constant(undefined),
  );
  const request = fc.record({
    method: fc.constantFrom("POST", "post", "GET", "PATCH"),
    body: fc.option(fc.string({ maxLength: 600 }), { nil: undefined }),
    isBase64Encoded: fc.boolean(),
    signature: header,
    headerName: fc.constantFrom("lemon-markets-signature", "Lemon-Markets-Signature", "x-other"),
  });

  it("never throws, never answers 500, never 200 without a valid signature", async () => {
    const t = testReceiver(SECRET);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Prepare
        const input: ReceiveRequest = {
          method: r.method,
          headers: { [r.headerName]: r.signature },
          body: r.body,
          isBase64Encoded: r.isBase64Encoded,
        };

        // Act
        const response = await t.receive(input);

        // Assess
        expect([401, 405, 413]).toContain(response.statusCode);
      }),
      { numRuns: 300 },
    );
    expect(t.store.calls).toEqual([]);
  });

  it("answers 200 or 400 (never 401 or 500) to any correctly signed body", async () => {
    const t = testReceiver(SECRET);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 400 }), fc.json({ maxDepth: 3 }), fc.constant(BODY)),
        async (body) => {
          // Act
          const response = await t.receive(signedRequest(body));

          // Assess
          expect([200, 400]).toContain(response.statusCode);
        },
      ),
      { numRuns: 300 },
    );
  });
});
