/**
 * A tiny HTTP server for client unit tests: answers requests from a script, one step per request, and
 * records every request. For behaviour of the real API surface use the emulator; this is for wire-level
 * situations the emulator does not model (a reset before any answer, a body that is not JSON, a redirect).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One recorded request. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** How to answer one request. */
export type Step =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly raw: string; readonly status: number }
  | { readonly destroy: true }
  | { readonly hang: true };

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseUrl: string;
  readonly requests: readonly RecordedRequest[];
  /** Appends steps; a request beyond the script gets a 599 so a test never silently passes on it. */
  script(...steps: Step[]): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const steps: Step[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      answer(steps.shift() ?? { status: 599, body: { message: "no step scripted" } }, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...more) => {
      steps.push(...more);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answer(step: Step, request: IncomingMessage, response: ServerResponse): void {
  if ("destroy" in step) {
    request.socket.destroy();
    return;
  }
  if ("hang" in step) return;
  if ("raw" in step) {
    response.writeHead(step.status, { "content-type": "application/json" });
    response.end(step.raw);
    return;
  }
  if (step.body === undefined) {
    response.writeHead(step.status, step.headers ?? {});
    response.end();
    return;
  }
  const text = JSON.stringify(step.body);
  response.writeHead(step.status, { "content-type": "application/json", ...step.headers });
  response.end(text);
}
