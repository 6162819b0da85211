/**
 * A fault-injecting proxy in front of a local AWS stand-in (dynalite, the fake EventBridge) that also keeps
 * the causal record a reliability oracle needs: for every call, which items it **applied** and whether its
 * answer was **delivered** to the client. Faults are seeded per call:
 * - `throttle`: answered with the service's throttling error, never passed on (nothing applied);
 * - `late`: passed on and applied, then the answer is held until the client gives up (its call timeout) or
 *   `holdMs` passes — "applied, answer not delivered", the ambiguous case of a timeout after the commit;
 * - `reset`: passed on and applied, then the connection is destroyed instead of answered.
 * A call the client abandons on its own (a natural timeout on a starved machine) is recorded the same way.
 *
 * The decision for a call depends on the seed, the operation, its item keys and how often that operation was
 * called for those keys before — not on the interleaving of concurrent requests.
 * Never bundled (scripts/build-lambda.mjs refuses local).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./aws-json-server";
import { passOn, type Upstream } from "./pass-on";

/** How a call was faulted, if it was. */
export type InjectedFault = "throttle" | "late" | "reset";

/** Seeded shares of calls per fault (each in [0, 1], summing to at most 1), per operation or `*`. */
export type FaultRates = Readonly<Partial<Record<InjectedFault, number>>>;

/** One call through the proxy, as the oracle reads it. */
export interface CallRecord {
  /** Arrival order. */
  readonly seq: number;
  /** Operation from `X-Amz-Target` (`PutItem`, `PutEvents`, …). */
  readonly operation: string;
  /** Items the request addresses (event ids). */
  readonly keys: readonly string[];
  /** Items the service applied the call to (a subset of `keys`; `[]` when refused, failed or throttled). */
  readonly applied: readonly string[];
  /** The injected fault, if any. */
  readonly fault?: InjectedFault;
  /** HTTP status the service answered; undefined when the call never reached it. */
  readonly status?: number;
  /** True when the answer was written before the client gave up; false for lost and reset answers. */
  readonly delivered: boolean;
  /** Arrival to answer (or to the client giving up), ms. */
  readonly ms: number;
  /** Epoch ms of arrival. */
  readonly at: number;
}

/** What a service did with one call: the request's item keys, and those it applied given its answer. */
export interface Effects {
  keysOf(operation: string, request: unknown): readonly string[];
  appliedOf(operation: string, request: unknown, status: number, response: unknown): readonly string[];
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  readonly target: string;
  readonly seed: number;
  /** Rates by operation; `*` applies to operations not named. */
  readonly rates?: Readonly<Record<string, FaultRates>>;
  readonly effects: Effects;
  /** The throttling reply of the service behind the proxy. */
  readonly throttle: { readonly status: number; readonly body: string; readonly contentType: string };
  /** Longest hold of a `late` answer when the client does not give up first; default 10 s. */
  readonly holdMs?: number;
}

/** A running proxy. */
export interface FaultProxy {
  readonly endpoint: string;
  /** Every call so far, in arrival order. */
  calls(): readonly CallRecord[];
  /** Calls not answered yet (in flight, or a late answer being held). */
  pending(): number;
  /** Item keys of the calls not answered yet. */
  pendingKeys(): readonly string[];
  /** Replaces the fault rates from now on (`{}` = pass everything through). */
  setRates(rates: Readonly<Record<string, FaultRates>>): void;
  /**
   * The next calls of `operation` (with `key`: the next calls addressing that item) get these faults, one
   * each, before any random one: a path that must run in every run.
   */
  force(operation: string, faults: readonly InjectedFault[], key?: string): void;
  close(): Promise<void>;
}

/** 32-bit FNV-1a of a string: a stable seed per call identity. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** One float in [0, 1) from a seed (a mulberry32 step). */
function unitFloat(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function parse(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Starts the proxy on 127.0.0.1 (random port).
 *
 * @example
 * const proxy = await startFaultProxy({ target: dynamo.endpoint, seed: 7, effects: DYNAMODB_EFFECTS,
 *   throttle: DYNAMODB_THROTTLE, rates: { PutItem: { late: 0.01, throttle: 0.03 } } });
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const holdMs = options.holdMs ?? 10_000;
  let rates = options.rates ?? {};
  const records: CallRecord[] = [];
  const seen = new Map<string, number>();
  const forced = new Map<string, InjectedFault[]>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Map<number, readonly string[]>();
  let arrivals = 0;
  let pendingCalls = 0;
  let seq = 0;

  const decide = (operation: string, keys: readonly string[]): InjectedFault | undefined => {
    for (const slot of [...keys.map((key) => `${operation}|${key}`), operation]) {
      const queued = forced.get(slot)?.shift();
      if (queued !== undefined) return queued;
    }
    const plan = rates[operation] ?? rates["*"];
    if (plan === undefined) return undefined;
    const identity = `${operation}|${keys.join(",")}`;
    const occurrence = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, occurrence);
    let draw = unitFloat(hash(`${identity}|${occurrence}`, options.seed));
    for (const fault of ["throttle", "late", "reset"] as const) {
      const rate = plan[fault] ?? 0;
      if (draw < rate) return fault;
      draw -= rate;
    }
    return undefined;
  };

  const hold = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, holdMs);
      timers.add(timer);
      res.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      });
    });

  async function relay(
    req: { url?: string; method?: string; headers: IncomingHttpHeaders },
    body: Buffer,
    res: ServerResponse,
  ) {
    const at = Date.now();
    const started = performance.now();
    const target_ = String(req.headers["x-amz-target"] ?? "");
    const operation = target_.split(".").pop() ?? target_;
    const request = parse(body);
    const keys = options.effects.keysOf(operation, request);
    const fault = decide(operation, keys);
    arrivals += 1;
    const arrival = arrivals;
    inFlight.set(arrival, keys);
    res.once("close", () => inFlight.delete(arrival));
    let clientGone = false;
    res.on("close", () => {
      clientGone = !res.writableFinished;
    });
    const record = (fields: Omit<CallRecord, "seq" | "operation" | "keys" | "ms" | "at">) => {
      seq += 1;
      records.push({ seq, operation, keys, ms: performance.now() - started, at, ...fields });
    };
    if (fault === "throttle") {
      res.writeHead(options.throttle.status, { "content-type": options.throttle.contentType });
      res.end(options.throttle.body);
      record({ fault, applied: [], status: options.throttle.status, delivered: true });
      return;
    }
    let upstream: Upstream;
    try {
      upstream = await passOn(target, req.method ?? "POST", req.url ?? "/", req.headers, body);
    } catch {
      if (!clientGone) res.writeHead(502).end();
      record({ applied: [], delivered: false, ...(fault === undefined ? {} : { fault }) });
      return;
    }
    const applied = options.effects.appliedOf(operation, request, upstream.status, parse(upstream.body));
    if (fault === "reset") {
      res.socket?.destroy();
      record({ fault, applied, status: upstream.status, delivered: false });
      return;
    }
    if (fault === "late") await hold(res);
    if (clientGone || res.destroyed) {
      record({
        applied,
        status: upstream.status,
        delivered: false,
        ...(fault === undefined ? {} : { fault }),
      });
      return;
    }
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
    record({ applied, status: upstream.status, delivered: true, ...(fault === undefined ? {} : { fault }) });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      pendingCalls += 1;
      relay(req, Buffer.concat(chunks), res)
        .catch(() => {
          if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
        })
        .finally(() => {
          pendingCalls -= 1;
        });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => records,
    pending: () => pendingCalls,
    pendingKeys: () => [...inFlight.values()].flat(),
    setRates: (next) => {
      rates = next;
    },
    force: (operation, faults, key) => {
      const slot = key === undefined ? operation : `${operation}|${key}`;
      forced.set(slot, [...(forced.get(slot) ?? []), ...faults]);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeServer(server);
    },
  };
}

type Json = Record<string, unknown>;
const objectOf = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const stringKey = (value: unknown): string | undefined => {
  const s = objectOf(objectOf(value).pk).S;
  return typeof s === "string" ? s : undefined;
};

/** DynamoDB: keys are `Item.pk` / `Key.pk`; a write applies on HTTP 200 (a failed condition is a 400). */
export const DYNAMODB_EFFECTS: Effects = {
  keysOf: (_operation, request) => {
    const key = stringKey(objectOf(request).Item) ?? stringKey(objectOf(request).Key);
    return key === undefined ? [] : [key];
  },
  appliedOf(operation, request, status) {
    const writes = ["PutItem", "UpdateItem", "DeleteItem"];
    return status === 200 && writes.includes(operation) ? this.keysOf(operation, request) : [];
  },
};

/** The throttling answer of DynamoDB. */
export const DYNAMODB_THROTTLE = {
  status: 400,
  contentType: "application/x-amz-json-1.0",
  body: JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded.",
  }),
} as const;

/** The `id` inside each entry's `Detail` (our events), or "" when it has none. */
function entryIds(request: unknown): string[] {
  const entries = objectOf(request).Entries;
  if (!Array.isArray(entries)) return [];
  return entries.map((entry) => {
    const detail = objectOf(entry).Detail;
    if (typeof detail !== "string") return "";
    const id = objectOf(parse(Buffer.from(detail))).id;
    return typeof id === "string" ? id : "";
  });
}

/** EventBridge `PutEvents`: keys are the entries' `detail.id`; an entry applied when it got an `EventId`. */
export const EVENTBRIDGE_EFFECTS: Effects = {
  keysOf: (_operation, request) => entryIds(request),
  appliedOf: (_operation, request, status, response) => {
    if (status !== 200) return [];
    const results = objectOf(response).Entries;
    const ids = entryIds(request);
    if (!Array.isArray(results)) return [];
    return ids.filter((id, i) => id !== "" && typeof objectOf(results[i]).EventId === "string");
  },
};

/** The throttling answer of EventBridge. */
export const EVENTBRIDGE_THROTTLE = {
  status: 400,
  contentType: "application/x-amz-json-1.1",
  body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }),
} as const;
