/**
 * Fault injection for client tests: make the next matching request fail in a chosen way (enqueued), or a
 * seeded random share of all requests (random mode, for reliability tests).
 */
import { deriveSeed, seededRandom } from "../contract/random";
import type { EnqueuedFault, Fault, FaultControls, FaultRoute, RandomFaultOptions } from "./types";

export const FAULT_ROUTES: readonly FaultRoute[] = [
  "POST /v1/webhooks",
  "GET /v1/webhooks",
  "DELETE /v1/webhooks/:id",
  "GET /v1/events",
  "POST /v1/accounts",
];

/** What a bare kind in {@link RandomFaultOptions.kinds} stands for. */
export const DEFAULT_FAULTS: Readonly<Record<Fault["kind"], Fault>> = {
  status: { kind: "status", status: 503 },
  retryAfter: { kind: "retryAfter", seconds: 1 },
  slow: { kind: "slow", ms: 200 },
  commitThenDrop: { kind: "commitThenDrop" },
};

interface RandomMode {
  readonly rate: number;
  readonly faults: readonly Fault[];
  readonly routes: ReadonlySet<FaultRoute>;
  readonly next: () => number;
}

export class FaultInjector implements FaultControls {
  private readonly queue: { route: FaultRoute; fault: Fault; remaining: number }[] = [];
  private randomMode: RandomMode | undefined;

  constructor(private readonly defaultSeed: number) {}

  enqueue(entry: EnqueuedFault): void {
    checkRoute(entry.route, "route");
    const fault = checkFault(entry.fault, "fault");
    const times = entry.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new TypeError(`times must be a positive integer (got ${String(times)}); omit it for one request`);
    }
    this.queue.push({ route: entry.route, fault, remaining: times });
  }

  random(options: RandomFaultOptions): void {
    const { rate, kinds, seed, routes } = options;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new TypeError(`rate must be a number from 0 to 1 (got ${String(rate)})`);
    }
    if (!Array.isArray(kinds) || kinds.length === 0) {
      throw new TypeError("kinds must be a non-empty array of faults or fault kinds");
    }
    const faults = kinds.map((kind, index) =>
      typeof kind === "string" ? defaultFault(kind, `kinds[${index}]`) : checkFault(kind, `kinds[${index}]`),
    );
    for (const [index, route] of (routes ?? []).entries()) checkRoute(route, `routes[${index}]`);
    this.randomMode = {
      rate,
      faults,
      routes: new Set(routes ?? FAULT_ROUTES),
      next: seededRandom(deriveSeed(seed ?? this.defaultSeed, "faults")),
    };
  }

  clear(): void {
    this.queue.length = 0;
    this.randomMode = undefined;
  }

  /** The fault for this request, if any; consumes one use of the first enqueued fault for the route. */
  take(route: FaultRoute): Fault | undefined {
    const index = this.queue.findIndex((entry) => entry.route === route);
    const entry = this.queue[index];
    if (entry) {
      entry.remaining -= 1;
      if (entry.remaining === 0) this.queue.splice(index, 1);
      return entry.fault;
    }
    const mode = this.randomMode;
    if (!mode?.routes.has(route)) return undefined;
    // Draw both numbers every time so the sequence of decisions depends only on the request count.
    const hit = mode.next() < mode.rate;
    const pick = Math.floor(mode.next() * mode.faults.length);
    return hit ? mode.faults[pick] : undefined;
  }
}

function checkRoute(route: unknown, field: string): void {
  if (!FAULT_ROUTES.includes(route as FaultRoute)) {
    throw new TypeError(`${field} must be one of ${FAULT_ROUTES.join(", ")} (got ${JSON.stringify(route)})`);
  }
}

function defaultFault(kind: string, field: string): Fault {
  const fault = DEFAULT_FAULTS[kind as Fault["kind"]];
  if (!fault) throw new TypeError(`${field} must be one of ${Object.keys(DEFAULT_FAULTS).join(", ")}`);
  return fault;
}

function checkFault(fault: Fault, field: string): Fault {
  const valid =
    (fault?.kind === "status" &&
      Number.isInteger(fault.status) &&
      fault.status >= 400 &&
      fault.status <= 599) ||
    (fault?.kind === "retryAfter" && Number.isInteger(fault.seconds) && fault.seconds >= 0) ||
    (fault?.kind === "slow" && Number.isFinite(fault.ms) && fault.ms >= 0) ||
    fault?.kind === "commitThenDrop";
  if (!valid) {
    throw new TypeError(
      `${field} must be {kind:"status", status: 400..599}, {kind:"retryAfter", seconds: integer >= 0}, ` +
        `{kind:"slow", ms: >= 0} or {kind:"commitThenDrop"} (got ${JSON.stringify(fault)})`,
    );
  }
  return fault;
}
