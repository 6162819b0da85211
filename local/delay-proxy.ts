/**
 * A slow network in front of any local stand-in (the fakes or dynalite): an HTTP proxy that holds each request
 * or each response for a set time. Two phases, because they mean different things to the caller:
 * - `request`: the call has not reached the service yet; a caller that gives up meanwhile leaves no trace
 *   (the proxy drops the request) — "the service never saw it";
 * - `response`: the service has acted, only its answer is late — "it may have landed", the ambiguous case a
 *   cut-off write must clean up after.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./aws-json-server";
import { passOn } from "./pass-on";

/** Which half of a call the proxy holds back. */
export type DelayPhase = "request" | "response";

/** Options of {@link startDelayProxy}. */
export interface DelayProxyOptions {
  /** Base URL of the stand-in behind the proxy, e.g. a fake's `endpoint`. */
  readonly target: string;
  /** Delay of every call until {@link DelayProxy.setDelay}; default 0 (pass-through). */
  readonly delayMs?: number;
  /** Default `request`. */
  readonly phase?: DelayPhase;
  /** 0 or absent: a random free port. */
  readonly port?: number;
}

/** A running proxy. */
export interface DelayProxy {
  /** Point a client here instead of at the target. */
  readonly endpoint: string;
  /** Calls passed on to the target so far. */
  readonly forwarded: number;
  /** Calls whose caller gave up during a `request` delay, never passed on. */
  readonly dropped: number;
  /** Changes the delay (and phase) of calls arriving from now on. */
  setDelay(delayMs: number, phase?: DelayPhase): void;
  /** Stops the proxy, cancelling pending delays. */
  close(): Promise<void>;
}

/**
 * Starts the proxy.
 *
 * @example
 * const slow = await startDelayProxy({ target: eventBridge.endpoint, delayMs: 10_000 });
 * // AWS_ENDPOINT_URL_EVENTBRIDGE = slow.endpoint: every PutEvents now takes 10 s unless the caller gives up.
 */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const target = new URL(options.target);
  let delay = { ms: options.delayMs ?? 0, phase: options.phase ?? "request" };
  let forwarded = 0;
  let dropped = 0;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function relay(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    res: ServerResponse,
  ) {
    const { ms, phase } = delay;
    let gone = false;
    res.on("close", () => {
      gone = !res.writableFinished;
    });
    if (phase === "request") await wait(ms);
    if (phase === "request" && gone) {
      dropped += 1;
      return;
    }
    forwarded += 1;
    const upstream = await passOn(target, method, path, headers, body);
    if (phase === "response") await wait(ms);
    if (gone) return;
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      relay(req.method ?? "GET", req.url ?? "/", req.headers, Buffer.concat(chunks), res).catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    get dropped() {
      return dropped;
    },
    setDelay(ms, phase = "request") {
      delay = { ms, phase };
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeServer(server);
    },
  };
}
