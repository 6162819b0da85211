/**
 * Shared fixtures of the emulator tests: a test API client, a scriptable webhook receiver, and the seed
 * walkthrough's bodies read verbatim from spec/lemon-markets/webhooks-setup-guide.txt.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Emulator } from "../../emulator";

export const API_KEY = "test-api-key-0123456789";

const GUIDE = readFileSync(path.join(__dirname, "../../spec/lemon-markets/webhooks-setup-guide.txt"), "utf8");

/** The `POST /v1/accounts` body of the guide's curl call, byte for byte. */
export const SEED_ACCOUNT_BODY = /--data-binary '\n([\s\S]*?)\n'\n/.exec(GUIDE)![1]!;

export const PRIVACY = {
  "LMG-Data-Privacy-Access-Principal": "nobody",
  "LMG-Data-Privacy-Access-Justification": "webhook-test",
};

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; `undefined` when empty. */
  json: unknown;
}

export interface CallOptions {
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Replaces the default auth and privacy headers entirely when given. */
  headers?: Record<string, string>;
}

/** The headers a well-behaved client sends. */
export function goodHeaders(key = API_KEY): Record<string, string> {
  return { authorization: `Bearer ${key}`, "content-type": "application/json", ...PRIVACY };
}

/** Calls the emulator API: `path` is relative to `baseUrl` (e.g. `/webhooks`). */
export async function call(emu: Emulator, method: string, path: string, options: CallOptions = {}) {
  const body =
    options.body === undefined || typeof options.body === "string"
      ? options.body
      : JSON.stringify(options.body);
  const response = await fetch(emu.baseUrl + path, {
    method,
    headers: options.headers ?? goodHeaders(),
    ...(body === undefined ? {} : { body: body as string }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text === "" ? undefined : JSON.parse(text),
  } satisfies ApiResponse;
}

export interface ReceivedDelivery {
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
  readonly event: { id: string; type: string; created_at: string; context: Record<string, string> };
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  close(): Promise<void>;
}

/** How the receiver answers its n-th request (0-based): a status, optionally after a delay. */
export type ReceiverScript = (index: number) => { status: number; delayMs?: number };

/** A local webhook endpoint that records every POST and answers per `script` (default: 200 at once). */
export async function startReceiver(script: ReceiverScript = () => ({ status: 200 })): Promise<Receiver> {
  const received: ReceivedDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const index = received.length;
      received.push({ headers: request.headers, rawBody, event: JSON.parse(rawBody) });
      const { status, delayMs = 0 } = script(index);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) response.writeHead(status).end();
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Registers a webhook through the API, as a client would; returns the 201 body. */
export async function register(emu: Emulator, url: string, events: string[]) {
  const response = await call(emu, "POST", "/webhooks", { body: { url, events } });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${response.text}`);
  return response.json as { id: string; url: string; events: string[]; signature_secret: string };
}
