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

/** One request as the local API Gateway hands it on: what the receiver reads, and where it came from. */
export interface LocalApiRequest {
  readonly method: string;
  /** The request path, e.g. `/webhooks/lemon-markets`. */
  readonly path: string;
  /** The matched route, e.g. `ANY /webhooks/lemon-markets`. */
  readonly routeKey: string;
  /** Lower-case names, repeated headers comma-joined. */
  readonly headers: Readonly<Record<string, string>>;
  /** Absent for an empty body, as API Gateway leaves it out. */
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  /** Without the `?`; default empty. */
  readonly rawQueryString?: string;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
  /** Default `localhost`. */
  readonly host?: string;
  /** Default `HTTP/1.1`. */
  readonly protocol?: string;
  /** Default `127.0.0.1`. */
  readonly sourceIp?: string;
  /** Default: a random UUID, as API Gateway gives every request its own. */
  readonly requestId?: string;
  readonly now: Date;
}

/**
 * The API Gateway v2 (payload format 2.0) event of `request`: the one place the event's shape is written
 * down, for the adapter below, the tests and the bench.
 */
export function apiGatewayEvent(request: LocalApiRequest): ApiGatewayV2Event {
  const host = request.host ?? "localhost";
  return {
    version: "2.0",
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString ?? "",
    ...(request.cookies === undefined ? {} : { cookies: [...request.cookies] }),
    headers: { ...request.headers },
    ...(request.queryStringParameters === undefined
      ? {}
      : { queryStringParameters: { ...request.queryStringParameters } }),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol ?? "HTTP/1.1",
        sourceIp: request.sourceIp ?? "127.0.0.1",
        userAgent: request.headers["user-agent"] ?? "",
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey: request.routeKey,
      stage: "$default",
      time: request.now.toISOString(),
      timeEpoch: request.now.getTime(),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded,
  };
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
  return apiGatewayEvent({
    method: req.method ?? "GET",
    path: url.pathname,
    routeKey,
    headers,
    ...bodyOf(bytes, headers["content-type"]),
    rawQueryString: url.search.slice(1),
    ...(url.search === "" ? {} : { queryStringParameters: Object.fromEntries(url.searchParams.entries()) }),
    ...(cookies === undefined ? {} : { cookies }),
    ...(headers.host === undefined ? {} : { host: headers.host }),
    protocol: `HTTP/${req.httpVersion}`,
    ...(req.socket.remoteAddress === undefined ? {} : { sourceIp: req.socket.remoteAddress }),
    now,
  });
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
