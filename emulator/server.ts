/**
 * The local lemon.markets: a node:http server with the webhook surface of the API (`/v1/webhooks`,
 * `/v1/events`, `/v1/accounts`), the delivery loop, fault injection and a few admin routes.
 *
 * Every API request is handled in this order: route (404 unknown path, 405 wrong method) → injected fault
 * → bearer auth (401) → privacy headers (422) → the operation. Errors are `{"message": "..."}`.
 *
 * @example
 * const emu = await startEmulator({ apiKeys: ["test-key"], delivery: { baseDelayMs: 10 } });
 * // POST `${emu.baseUrl}/webhooks` with `Authorization: Bearer test-key` and the privacy headers …
 * emu.emit("account.created", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
 * await emu.waitForDeliveries();
 * await emu.close();
 */
import { randomInt } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseSignatureScheme } from "../contract/signature-presets";
import { DeliveryEngine, resolveDeliveryOptions } from "./delivery";
import { ApiError } from "./errors";
import { FaultInjector } from "./faults";
import { parseQuery, readBody, sendEmpty, sendJson } from "./http-io";
import { bearerKey, parseRecordedBody, recordedHeaders } from "./recording";
import { emitEvent, listDeliveries } from "./routes/admin";
import type { RouteContext, RouteHandler, RouteResult } from "./routes/context";
import { API_ROUTES, MethodNotAllowed, matchRoute, type Reply } from "./routing";
import { EmulatorState } from "./state";
import type { DeliveryAttempt, Emulator, EmulatorOptions, Fault, RecordedRequest } from "./types";

/** Bearer keys accepted when `apiKeys` is not given. */
export const DEFAULT_API_KEYS: readonly string[] = Object.freeze(["lemon-emulator-key"]);

/** Headers lemon.markets requires on the webhook and event operations (and on 91 of its 96 operations). */
export const PRIVACY_HEADERS = [
  "LMG-Data-Privacy-Access-Principal",
  "LMG-Data-Privacy-Access-Justification",
] as const;

/** Default of {@link Emulator.waitForDeliveries}: below jest's 30 s so a stuck test fails with our message. */
export const DEFAULT_WAIT_MS = 20_000;

function validateKeys(keys: unknown, field: string): string[] {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === "string" && key.length > 0)) {
    throw new TypeError(`${field} must be an array of non-empty API key strings`);
  }
  return [...keys];
}

function validateOptions(options: EmulatorOptions): void {
  const { port, host, seed, log } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new TypeError(`port must be an integer from 0 to 65535 (got ${String(port)}); 0 picks a free port`);
  }
  if (host !== undefined && (typeof host !== "string" || host === "")) {
    throw new TypeError("host must be a non-empty host name or address, e.g. 127.0.0.1");
  }
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new TypeError(`seed must be an integer (got ${seed})`);
  if (log !== undefined && typeof log !== "function")
    throw new TypeError("log must be a function (line) => void");
}

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  validateOptions(options);
  const delivery = resolveDeliveryOptions(options.delivery);
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const log = options.log ?? (() => undefined);
  let apiKeys = new Set(validateKeys(options.apiKeys ?? [...DEFAULT_API_KEYS], "apiKeys"));
  const state = new EmulatorState();
  const requests: RecordedRequest[] = [];
  const deliveries: DeliveryAttempt[] = [];
  const faults = new FaultInjector(seed);
  // Validated up front like every option: a SignatureSchemeError (a TypeError) names the field.
  const signatureScheme = parseSignatureScheme(options.signatureScheme);
  const engine = new DeliveryEngine(
    delivery,
    seed,
    (id) => state.isRegistered(id),
    deliveries,
    log,
    signatureScheme,
  );
  const sleeps = new Set<NodeJS.Timeout>();

  const emit = (type: string, context: Record<string, string>) => {
    const event = state.recordEvent(type, context);
    engine.deliver(event, state.subscribers(event.type));
    return event;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleeps.delete(timer);
        resolve();
      }, ms);
      sleeps.add(timer);
    });

  /** Everything after routing and the fault: auth, privacy headers, the operation. */
  const perform = (request: IncomingMessage, handler: RouteHandler, context: RouteContext): RouteResult => {
    const key = bearerKey(request.headers.authorization);
    if (key === undefined || !apiKeys.has(key)) {
      throw new ApiError(401, "missing or invalid API key; send Authorization: Bearer <your-api-key>");
    }
    const missing = PRIVACY_HEADERS.filter(
      (name) => (request.headers[name.toLowerCase()] ?? "").toString().trim() === "",
    );
    if (missing.length > 0) {
      throw new ApiError(
        422,
        `missing required header(s) ${missing.join(", ")}: say who accesses the data and why, ` +
          "e.g. LMG-Data-Privacy-Access-Principal: ops-bot, LMG-Data-Privacy-Access-Justification: webhook-setup",
      );
    }
    return handler(context);
  };

  /** Undefined when the fault dropped the connection instead of answering. */
  const handleApi = async (
    request: IncomingMessage,
    url: URL,
    rawBody: string,
  ): Promise<Reply | undefined> => {
    const method = request.method ?? "GET";
    const { route, params } = matchRoute(API_ROUTES, method, url.pathname);
    const fault: Fault | undefined = faults.take(route.route);
    const context: RouteContext = { state, query: parseQuery(url.searchParams), rawBody, params, emit };
    if (fault?.kind === "status") {
      return { status: fault.status, body: { message: `injected fault: HTTP ${fault.status}` }, fault };
    }
    if (fault?.kind === "retryAfter") {
      const headers = { "retry-after": String(fault.seconds) };
      return { status: 429, body: { message: "Too Many Requests (injected fault)" }, headers, fault };
    }
    if (fault?.kind === "slow") await sleep(fault.ms);
    if (fault?.kind === "commitThenDrop") {
      // The operation takes effect (or fails) exactly as it would, but the client never hears about it.
      let outcome: string;
      try {
        outcome = String(perform(request, route.handler, context).status);
      } catch (error) {
        outcome = error instanceof ApiError ? String(error.status) : "500";
      }
      request.socket.destroy();
      log(`${method} ${url.pathname} -> ${outcome}, then dropped (injected fault)`);
      return undefined;
    }
    return { ...perform(request, route.handler, context), ...(fault ? { fault } : {}) };
  };

  const handleAdmin = async (request: IncomingMessage, url: URL, rawBody: string): Promise<RouteResult> => {
    const routes = [
      { method: "POST", pattern: /^\/_emulator\/events$/ },
      { method: "GET", pattern: /^\/_emulator\/deliveries$/ },
    ];
    const { route } = matchRoute(routes, request.method ?? "GET", url.pathname);
    if (route.method === "GET") return listDeliveries(deliveries);
    return emitEvent({ state, query: {}, rawBody, params: {}, emit });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://emulator.invalid");
    const admin = url.pathname.startsWith("/_emulator/");
    let rawBody = "";
    try {
      rawBody = await readBody(request);
    } finally {
      if (!admin) {
        const key = bearerKey(request.headers.authorization);
        requests.push({
          method: request.method ?? "GET",
          path: url.pathname,
          query: parseQuery(url.searchParams),
          headers: recordedHeaders(request),
          authorized: key !== undefined && apiKeys.has(key),
          body: parseRecordedBody(rawBody),
          at: Date.now(),
        });
      }
    }
    const result: Reply | undefined = admin
      ? await handleAdmin(request, url, rawBody)
      : await handleApi(request, url, rawBody);
    if (!result) return;
    const suffix = result.fault ? ` (injected ${result.fault.kind})` : "";
    log(`${request.method} ${url.pathname} -> ${result.status}${suffix}`);
    if (result.body === undefined) sendEmpty(response, result.status);
    else sendJson(response, result.status, result.body, result.headers);
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof ApiError ? error.status : 500;
      const message = error instanceof ApiError ? error.message : "internal emulator error";
      if (!(error instanceof ApiError)) log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
      log(`${request.method} ${request.url?.split("?")[0]} -> ${status}`);
      if (response.headersSent || response.destroyed) return;
      const headers: Record<string, string> =
        error instanceof MethodNotAllowed ? { allow: error.allow.join(", ") } : {};
      sendJson(response, status, { message }, headers);
    });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    baseUrl: `http://${urlHost}:${port}/v1`,
    signatureScheme,
    port,
    seed,
    faults,
    requests,
    deliveries,
    webhooks: () => state.webhookEntries().map((entry) => entry.value),
    events: () => state.eventEntries().map((entry) => entry.value),
    emit,
    waitForDeliveries: (timeoutMs = DEFAULT_WAIT_MS) => engine.waitForIdle(timeoutMs),
    setApiKeys: (keys) => {
      apiKeys = new Set(validateKeys(keys, "keys"));
    },
    pauseDeliveries: () => engine.pause(),
    resumeDeliveries: () => engine.resume(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        engine.close();
        for (const timer of sleeps) clearTimeout(timer);
        sleeps.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
