import fc from "fast-check";
import {
  DEADLINE_SAFETY_MARGIN_MS,
  DEFAULT_INVOCATION_BUDGET_MS,
  type Deadline,
  ensureTimeLeft,
  invocationDeadline,
  NO_DEADLINE,
  RESPONSE_RESERVE_MS,
  withinDeadline,
} from "../../../lambda/core/deadline";
import { type Dependency, DependencyUnavailableError } from "../../../lambda/core/errors";
import { createEmfMetrics, createJsonLogger } from "../../../lambda/core/observability";
import type { EventStore, SecretSource, SecretVersion, StoreOutcome } from "../../../lambda/core/ports";
import { createReceiver, type Receive } from "../../../lambda/receiver/receive";
import { eventBody, SECRET, signedRequest } from "../../support/events";
import { ManualClock, MemoryEventStore, T0 } from "../../support/ports";

/**
 * What the AWS client does with a deadline, on the manual clock: a call that takes `costMs` advances the clock
 * by it, unless the deadline comes first: then the clock stops there and the call fails with `deadline`. A
 * call that takes exactly the time left succeeds and leaves none.
 */
function spend(clock: ManualClock, deadline: Deadline | undefined, costMs: number, dependency: Dependency) {
  const remaining = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
  if (remaining <= 0) throw new DependencyUnavailableError(dependency, "deadline");
  if (costMs > remaining) {
    clock.advance(remaining);
    throw new DependencyUnavailableError(dependency, "deadline", { cause: new Error("cut off") });
  }
  clock.advance(costMs);
}

/** Costs per step; every call records the deadline it was given (remaining ms at call time). */
interface Costs {
  secretMs: number;
  storeMs: number;
}

class TimedPorts {
  readonly seen: string[] = [];
  readonly store: MemoryEventStore;
  readonly secrets: SecretSource;
  readonly timedStore: EventStore;
  /** A store cut off by the deadline lands anyway (its answer is what was lost). */
  landsWhenCutOff = false;

  constructor(
    readonly clock: ManualClock,
    readonly costs: Costs,
  ) {
    const version: SecretVersion = { value: SECRET, createdAt: new Date(T0 - 30 * 86_400_000) };
    this.store = new MemoryEventStore();
    const note = (name: string, deadline: Deadline | undefined) =>
      this.seen.push(`${name} ${deadline?.remainingMs() ?? "none"}`);
    this.secrets = {
      current: async (deadline) => {
        note("current", deadline);
        spend(clock, deadline, costs.secretMs, "secrets-manager");
        return version;
      },
      previous: async () => undefined,
    };
    this.timedStore = {
      store: async (event, nowMs, deadline): Promise<StoreOutcome> => {
        note("store", deadline);
        try {
          spend(clock, deadline, costs.storeMs, "dynamodb");
        } catch (error) {
          if (this.landsWhenCutOff) await this.store.store(event, nowMs);
          throw error;
        }
        return this.store.store(event, nowMs);
      },
    };
  }
}

const FAST: Costs = { secretMs: 10, storeMs: 10 };

function timedReceiver(costs: Partial<Costs>, invocationBudgetMs?: number) {
  const clock = new ManualClock(T0);
  const ports = new TimedPorts(clock, { ...FAST, ...costs });
  const lines: string[] = [];
  const write = (line: string) => lines.push(line);
  const receive: Receive = createReceiver({
    config: { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 },
    secrets: ports.secrets,
    store: ports.timedStore,
    clock,
    logger: createJsonLogger(write, clock),
    metrics: createEmfMetrics(write, clock),
    ...(invocationBudgetMs === undefined ? {} : { invocationBudgetMs }),
  });
  const logs = () =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => !("_aws" in line));
  return { clock, ports, receive, logs };
}

describe("Function: invocationDeadline", () => {
  it("stops work the safety margin before the end and cleanup the response reserve before it", () => {
    // Prepare
    const clock = new ManualClock(T0);

    // Act
    const deadline = invocationDeadline(clock, 3_000);
    clock.advance(1_000);

    // Assess
    expect(DEADLINE_SAFETY_MARGIN_MS).toBe(500);
    expect(RESPONSE_RESERVE_MS).toBe(100);
    expect(deadline.remainingMs()).toBe(1_500);
    expect(deadline.cleanup.remainingMs()).toBe(1_900);
    expect(deadline.cleanup.cleanup.remainingMs()).toBe(1_900);
  });

  it("has no limit, for itself or its cleanup, without a deadline", () => {
    // Assess
    expect(NO_DEADLINE.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(NO_DEADLINE.cleanup.remainingMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it("lets a call start while time is left and refuses it with a 503 error naming the dependency after", () => {
    // Prepare
    const clock = new ManualClock(T0);
    const deadline = invocationDeadline(clock, 1_000);

    // Act
    clock.advance(499);
    const before = () => ensureTimeLeft(deadline, "dynamodb");
    clock.advance(1);
    let after: unknown;
    try {
      ensureTimeLeft(deadline, "dynamodb");
    } catch (error) {
      after = error;
    }

    // Assess
    clock.advance(-1);
    expect(before).not.toThrow();
    expect(after).toBeInstanceOf(DependencyUnavailableError);
    expect(after).toMatchObject({ dependency: "dynamodb", code: "deadline" });
  });

  it("gives up waiting on shared work at its own deadline, and passes its result through before it", async () => {
    // Prepare
    const clock = { now: () => Date.now() };
    const never = new Promise<string>(() => undefined);

    // Act
    const late = await withinDeadline(never, invocationDeadline(clock, 520), "secrets-manager").catch(
      (error: unknown) => error,
    );
    const early = await withinDeadline(
      Promise.resolve("ok"),
      invocationDeadline(clock, 520),
      "secrets-manager",
    );
    const unlimited = await withinDeadline(Promise.resolve("ok"), NO_DEADLINE, "secrets-manager");

    // Assess
    expect(late).toBeInstanceOf(DependencyUnavailableError);
    expect(late).toMatchObject({ dependency: "secrets-manager", code: "deadline" });
    expect(early).toBe("ok");
    expect(unlimited).toBe("ok");
  });
});

describe("Function: createReceiver — the invocation deadline", () => {
  it("gives the secret fetch and the one store the platform's remaining time minus the margin", async () => {
    // Prepare
    const { receive, ports } = timedReceiver({});

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ports.seen).toEqual(["current 1500", "store 1490"]);
  });

  it("uses the configured budget when the platform gives no remaining time, and 8 s by default", async () => {
    // Prepare
    const configured = timedReceiver({}, 3_000);
    const defaulted = timedReceiver({});

    // Act
    await configured.receive(signedRequest());
    await defaulted.receive(signedRequest());

    // Assess
    expect(DEFAULT_INVOCATION_BUDGET_MS).toBe(8_000);
    expect(configured.ports.seen[0]).toBe("current 2500");
    expect(defaulted.ports.seen[0]).toBe("current 7500");
  });

  it("answers 503 without storing when fetching the secret used up the budget", async () => {
    // Prepare
    const { receive, ports, clock, logs } = timedReceiver({ secretMs: 60_000 });

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response).toEqual({
      statusCode: 503,
      headers: { "content-type": "application/json" },
      body: '{"error":"temporarily_unavailable"}',
    });
    expect(clock.now() - T0).toBe(1_500);
    expect(ports.seen).toEqual(["current 1500"]);
    expect(ports.store.calls).toEqual([]);
    expect(logs()).toEqual([
      expect.objectContaining({
        outcome: "unavailable",
        status: 503,
        dependency: "secrets-manager",
        errorCode: "deadline",
      }),
    ]);
  });

  it("starts no store once verification has spent the budget exactly", async () => {
    // Prepare
    const { receive, ports, logs } = timedReceiver({ secretMs: 1_500 });

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(ports.seen).toEqual(["current 1500"]);
    expect(ports.store.calls).toEqual([]);
    expect(logs()[0]).toMatchObject({
      outcome: "unavailable",
      dependency: "secrets-manager",
      errorCode: "deadline",
    });
  });

  it("makes no call at all when the platform leaves no more than the margin, even with the secret cached", async () => {
    // Prepare
    const { receive, ports, logs } = timedReceiver({});
    await receive({ ...signedRequest(eventBody("evt_warm")), remainingTimeMs: 2_000 });
    ports.seen.length = 0;

    // Act
    const response = await receive({ ...signedRequest(eventBody("evt_late")), remainingTimeMs: 500 });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(ports.seen).toEqual([]);
    expect(ports.store.calls).toEqual(["store evt_warm"]);
    expect(logs()[1]).toMatchObject({
      outcome: "unavailable",
      dependency: "dynamodb",
      errorCode: "deadline",
    });
  });

  it("answers 503 at the deadline when the store is slow; a store that landed anyway makes the redelivery a duplicate", async () => {
    // Prepare
    const { receive, ports, clock, logs } = timedReceiver({ storeMs: 60_000 });
    ports.landsWhenCutOff = true;
    const body = eventBody("evt_slow_table");

    // Act
    const first = await receive({ ...signedRequest(body), remainingTimeMs: 2_000 });
    const answeredAfterMs = clock.now() - T0;
    ports.costs.storeMs = 10;
    const redelivery = await receive({ ...signedRequest(body), remainingTimeMs: 2_000 });

    // Assess
    expect(first.statusCode).toBe(503);
    expect(answeredAfterMs).toBe(1_500);
    expect(redelivery.body).toBe('{"status":"duplicate"}');
    expect([...ports.store.items.keys()]).toEqual(["evt_slow_table"]);
    expect(logs().map((line) => [line.status, line.outcome, line.dependency, line.errorCode])).toEqual([
      [503, "unavailable", "dynamodb", "deadline"],
      [200, "duplicate", undefined, undefined],
    ]);
  });

  it("whatever the budget and however slow each step, answers 200 or 503 before the margin, 200 only once stored", async () => {
    const cost = fc.integer({ min: 0, max: 12_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 9_000 }),
        fc.record({ secretMs: cost, storeMs: cost }),
        fc.boolean(),
        async (budgetMs, costs, lands) => {
          // Prepare
          const { receive, ports, clock } = timedReceiver(costs);
          ports.landsWhenCutOff = lands;

          // Act
          const response = await receive({
            ...signedRequest(eventBody("evt_prop")),
            remainingTimeMs: budgetMs,
          });

          // Assess
          expect(clock.now() - T0).toBeLessThanOrEqual(budgetMs - DEADLINE_SAFETY_MARGIN_MS);
          expect([200, 503]).toContain(response.statusCode);
          if (response.statusCode === 200) expect(ports.store.items.size).toBe(1);
          expect(ports.store.calls.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
