/**
 * A local stand-in for API Gateway HTTP API: real HTTP requests become payload-format-2.0 events (lower-cased
 * headers, repeated headers comma-joined, base64 body for non-text content types, requestContext with
 * requestId and timeEpoch) and the handler's result becomes the HTTP response.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { TextDecoder } from "node:util";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "../lambda/receiver/apigw";
import { closeServer } from "./aws-json-server";

/** Any API Gateway v2 handler (the receiver's `handler`, or the built bundle's). */
export type ApiGatewayV2Handler = (event: ApiGatewayV2Event) => Promise<ApiGatewayV2Result>;

/** Options of {@link startHttpAdapter}. */
export interface HttpAdapterOptions {
  readonly handler: ApiGatewayV2Handler;
  /** 0 or absent: a random free port. */
  readonly port?: number;
  /** The one route served (any method, like an `ANY /path` route); other paths get API Gateway's 404. */
  readonly path?: string;
}

/** A running adapter. */
export interface HttpAdapter {
  /** Full URL of the route, e.g. `http://127.0.0.1:43121/webhooks/lemon-markets`. */
  readonly url: string;
  close(): Promise<void>;
}

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

// API Gateway passes these as text and base64-encodes everything else.
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (name === "cookie") continue;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

function bodyOf(bytes: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (bytes.length === 0) return { isBase64Encoded: false };
  if (contentType !== undefined && TEXT_TYPES.test(contentType)) {
    try {
      return { body: new TextDecoder("utf-8", { fatal: true }).decode(bytes), isBase64Encoded: false };
    } catch {
      // Not valid UTF-8 despite a text type: pass the bytes through unaltered.
    }
  }
  return { body: bytes.toString("base64"), isBase64Encoded: true };
}

/** Turns one HTTP request into an API Gateway v2 event. */
export function toApiGatewayEvent(
  req: IncomingMessage,
  bytes: Buffer,
  routeKey: string,
  now: Date,
): ApiGatewayV2Event {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers = headersOf(req);
  const cookies = req.headers.cookie?.split(";").map((c) => c.trim());
  const query = Object.fromEntries(url.searchParams.entries());
  const host = headers.host ?? "localhost";
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(url.search === "" ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...bodyOf(bytes, headers["content-type"]),
  };
}

/**
 * Serves `handler` over HTTP on 127.0.0.1.
 *
 * @example
 * const adapter = await startHttpAdapter({ handler, path: "/webhooks/lemon-markets" });
 * // register adapter.url with lemon.markets (or the emulator), then:
 * await adapter.close();
 */
export async function startHttpAdapter(options: HttpAdapterOptions): Promise<HttpAdapter> {
  const path = options.path ?? "/";
  const routeKey = `ANY ${path}`;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      const send = (status: number, headers: Record<string, string>, body: string | Buffer) => {
        res.writeHead(status, headers);
        res.end(body);
      };
      if (new URL(req.url ?? "/", "http://localhost").pathname !== path) {
        send(404, { "content-type": "application/json" }, '{"message":"Not Found"}');
        return;
      }
      if (size > MAX_PAYLOAD_BYTES) {
        send(413, { "content-type": "application/json" }, '{"message":"Request Entity Too Large"}');
        return;
      }
      const event = toApiGatewayEvent(req, Buffer.concat(chunks), routeKey, new Date());
      options.handler(event).then(
        (result) => {
          const body = result.body ?? "";
          send(
            result.statusCode,
            { ...result.headers },
            result.isBase64Encoded ? Buffer.from(body, "base64") : body,
          );
        },
        // What API Gateway answers when the integration fails.
        () => send(500, { "content-type": "application/json" }, '{"message":"Internal Server Error"}'),
      );
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return { url: `http://127.0.0.1:${port}${path}`, close: () => closeServer(server) };
}
