import { request } from "node:http";
import type { ApiGatewayV2Event } from "../../lambda/receiver/apigw";
import { type HttpAdapter, startHttpAdapter } from "../../local";

/** A raw HTTP request (fetch would normalise headers we want to send as-is). */
function send(
  url: string,
  options: { method: string; headers: Record<string, string | string[]>; body?: Buffer | string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("Function: startHttpAdapter", () => {
  let adapter: HttpAdapter;
  let events: ApiGatewayV2Event[];
  beforeEach(async () => {
    events = [];
    adapter = await startHttpAdapter({
      path: "/webhooks/lemon-markets",
      handler: async (event) => {
        events.push(event);
        return {
          statusCode: 202,
          headers: { "x-answer": "yes", "content-type": "text/plain" },
          body: "accepted",
        };
      },
    });
  });
  afterEach(() => adapter.close());

  it("turns a JSON POST into a payload-format-2.0 event and writes the result back", async () => {
    // Act
    const response = await send(`${adapter.url}?a=1`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Lemon-Markets-Signature": "abc",
        "X-Twice": ["1", "2"],
      },
      body: '{"id":"evt_1"}',
    });

    // Assess
    expect(response).toMatchObject({ status: 202, body: "accepted", headers: { "x-answer": "yes" } });
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "ANY /webhooks/lemon-markets",
      rawPath: "/webhooks/lemon-markets",
      rawQueryString: "a=1",
      queryStringParameters: { a: "1" },
      body: '{"id":"evt_1"}',
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: "POST",
          path: "/webhooks/lemon-markets",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
        },
        routeKey: "ANY /webhooks/lemon-markets",
        stage: "$default",
      },
    });
    expect(event.headers["lemon-markets-signature"]).toBe("abc");
    expect(event.headers["x-twice"]).toBe("1,2");
    expect(Object.keys(event.headers).filter((h) => h !== h.toLowerCase())).toEqual([]);
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(60_000);
  });

  it("base64-encodes a binary body", async () => {
    // Prepare
    const bytes = Buffer.from([0, 255, 1, 254, 10]);

    // Act
    await send(adapter.url, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });

    // Assess
    expect(events[0]).toMatchObject({ body: bytes.toString("base64"), isBase64Encoded: true });
  });

  it("base64-encodes a text-typed body that is not valid UTF-8", async () => {
    // Prepare
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);

    // Act
    await send(adapter.url, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });

    // Assess
    expect(events[0]).toMatchObject({ body: bytes.toString("base64"), isBase64Encoded: true });
  });

  it("passes other methods to the handler (an ANY route) and answers other paths with API Gateway's 404", async () => {
    // Act
    await send(adapter.url, { method: "GET", headers: {} });
    const elsewhere = await send(adapter.url.replace("lemon-markets", "other"), {
      method: "POST",
      headers: {},
    });

    // Assess
    expect(events.map((e) => [e.requestContext.http.method, e.body, e.isBase64Encoded])).toEqual([
      ["GET", undefined, false],
    ]);
    expect(elsewhere).toMatchObject({ status: 404, body: '{"message":"Not Found"}' });
  });

  it("answers 500 like API Gateway when the handler throws", async () => {
    // Prepare
    const failing = await startHttpAdapter({
      handler: async () => {
        throw new Error("boom");
      },
    });

    // Act
    const response = await send(failing.url, { method: "POST", headers: {}, body: "{}" });
    await failing.close();

    // Assess
    expect(response).toMatchObject({ status: 500, body: '{"message":"Internal Server Error"}' });
  });
});
