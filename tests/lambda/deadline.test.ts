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
} from "../../lambda/deadline";
import { type Dependency, DependencyUnavailableError } from "../../lambda/errors";
import { createEmfMetrics, createJsonLogger } from "../../lambda/observability";
import type { ClaimResult, DedupeStore, EventSink, SecretSource, SecretVersion } from "../../lambda/ports";
import { createReceiver, type Receive } from "../../lambda/receive";
import { eventBody, SECRET, signedRequest } from "./support/events";
import { ManualClock, MemoryDedupeStore, MemoryEventSink, T0 } from "./support/ports";

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
  claimMs: number;
  forwardMs: number;
  releaseMs: number;
  completeMs: number;
}

class TimedPorts {
  readonly seen: string[] = [];
  readonly dedupe: MemoryDedupeStore;
  readonly sink: MemoryEventSink;
  readonly secrets: SecretSource;
  readonly timedDedupe: DedupeStore;
  readonly timedSink: EventSink;

  constructor(
    readonly clock: ManualClock,
    readonly costs: Costs,
  ) {
    const version: SecretVersion = { value: SECRET, createdAt: new Date(T0 - 30 * 86_400_000) };
    this.dedupe = new MemoryDedupeStore();
    this.sink = new MemoryEventSink();
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
    this.timedDedupe = {
      claim: async (eventId, _nowMs, deadline): Promise<ClaimResult> => {
        note("claim", deadline);
        spend(clock, deadline, costs.claimMs, "dynamodb");
        return this.dedupe.claim(eventId);
      },
      complete: async (eventId, token, deadline) => {
        note("complete", deadline);
        spend(clock, deadline, costs.completeMs, "dynamodb");
        return this.dedupe.complete(eventId, token);
      },
      release: async (eventId, token, deadline) => {
        note("release", deadline);
        spend(clock, deadline, costs.releaseMs, "dynamodb");
        return this.dedupe.release(eventId, token);
      },
    };
    this.timedSink = {
      forward: async (event, deadline) => {
        note("forward", deadline);
        spend(clock, deadline, costs.forwardMs, "eventbridge");
        return this.sink.forward(event);
      },
    };
  }
}

const FAST: Costs = { secretMs: 10, claimMs: 10, forwardMs: 10, releaseMs: 10, completeMs: 10 };

function timedReceiver(costs: Partial<Costs>, invocationBudgetMs?: number) {
  const clock = new ManualClock(T0);
  const ports = new TimedPorts(clock, { ...FAST, ...costs });
  const lines: string[] = [];
  const write = (line: string) => lines.push(line);
  const receive: Receive = createReceiver({
    config: { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 },
    secrets: ports.secrets,
    dedupe: ports.timedDedupe,
    sink: ports.timedSink,
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
  it("gives every call the platform's remaining time minus the margin, and bookkeeping minus the reserve", async () => {
    // Prepare
    const { receive, ports } = timedReceiver({});

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ports.seen).toEqual(["current 1500", "claim 1490", "forward 1480", "complete 1870"]);
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

  it("answers 503 without claiming when fetching the secret used up the budget", async () => {
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
    expect(ports.dedupe.calls).toEqual([]);
    expect(logs()).toEqual([
      expect.objectContaining({
        outcome: "unavailable",
        status: 503,
        dependency: "secrets-manager",
        errorCode: "deadline",
      }),
    ]);
  });

  it("starts no claim once verification has spent the budget exactly", async () => {
    // Prepare
    const { receive, ports, logs } = timedReceiver({ secretMs: 1_500 });

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(ports.seen).toEqual(["current 1500"]);
    expect(ports.dedupe.calls).toEqual([]);
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
    expect(ports.dedupe.calls).toEqual(["claim evt_warm", "complete evt_warm token-1"]);
    expect(logs()[1]).toMatchObject({
      outcome: "unavailable",
      dependency: "dynamodb",
      errorCode: "deadline",
    });
  });

  it("gives the claim back and forwards nothing when the claim spent the budget exactly", async () => {
    // Prepare
    const { receive, ports, logs } = timedReceiver({ claimMs: 1_490 });

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(ports.seen).toEqual(["current 1500", "claim 1490", "release 400"]);
    expect(ports.sink.attempts).toBe(0);
    expect(ports.dedupe.items.size).toBe(0);
    expect(logs()[0]).toMatchObject({
      outcome: "unavailable",
      dependency: "eventbridge",
      errorCode: "deadline",
    });
  });

  it("answers 503 at the deadline when forwarding is slow, releases the claim, and the redelivery forwards once", async () => {
    // Prepare
    const { receive, ports, clock, logs } = timedReceiver({ forwardMs: 60_000 });
    const body = eventBody("evt_slow_bus");

    // Act
    const first = await receive({ ...signedRequest(body), remainingTimeMs: 2_000 });
    const answeredAfterMs = clock.now() - T0;
    ports.costs.forwardMs = 10;
    const redelivery = await receive({ ...signedRequest(body), remainingTimeMs: 2_000 });

    // Assess
    expect(first.statusCode).toBe(503);
    expect(answeredAfterMs).toBe(1_510);
    expect(ports.seen.slice(0, 4)).toEqual(["current 1500", "claim 1490", "forward 1480", "release 400"]);
    expect(ports.dedupe.calls).toEqual([
      "claim evt_slow_bus",
      "release evt_slow_bus token-1",
      "claim evt_slow_bus",
      "complete evt_slow_bus token-2",
    ]);
    expect(redelivery.statusCode).toBe(200);
    expect(redelivery.body).toBe('{"status":"forwarded"}');
    expect(ports.sink.forwarded.map((event) => event.id)).toEqual(["evt_slow_bus"]);
    expect(logs().map((line) => [line.status, line.dependency, line.errorCode, line.note])).toEqual([
      [503, "eventbridge", "deadline", undefined],
      [200, undefined, undefined, undefined],
    ]);
  });

  it("retries a failed release only while the cleanup deadline leaves room for the next try", async () => {
    // Prepare
    const roomy = timedReceiver({ forwardMs: 60_000, releaseMs: 10 });
    roomy.ports.dedupe.failRelease = true;
    const tight = timedReceiver({ forwardMs: 60_000, releaseMs: 380 });
    tight.ports.dedupe.failRelease = true;

    // Act
    const roomyResponse = await roomy.receive({ ...signedRequest(), remainingTimeMs: 2_000 });
    const tightResponse = await tight.receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(roomyResponse.statusCode).toBe(503);
    expect(roomy.ports.seen.filter((call) => call.startsWith("release"))).toEqual([
      "release 400",
      "release 390",
      "release 380",
      "release 370",
    ]);
    expect(tightResponse.statusCode).toBe(503);
    // 20 ms left after the first try: less than the 25 ms backoff, so no second try.
    expect(tight.ports.seen.filter((call) => call.startsWith("release"))).toEqual(["release 400"]);
    expect(tight.logs()[0]).toMatchObject({ status: 503, note: "release_failed", errorCode: "deadline" });
  });

  it("still answers 200 when forwarding succeeded and only the done mark ran out of time", async () => {
    // Prepare
    const { receive, ports, logs } = timedReceiver({ forwardMs: 1_480, completeMs: 60_000 });

    // Act
    const response = await receive({ ...signedRequest(), remainingTimeMs: 2_000 });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ports.seen).toEqual(["current 1500", "claim 1490", "forward 1480", "complete 400"]);
    expect(ports.sink.forwarded).toHaveLength(1);
    expect(logs()[0]).toMatchObject({ status: 200, outcome: "forwarded", note: "complete_failed" });
  });

  it("whatever the budget and however slow each step, answers 200 or 503 before the end and leaves no claim behind", async () => {
    const cost = fc.integer({ min: 0, max: 12_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 9_000 }),
        fc.record({ secretMs: cost, claimMs: cost, forwardMs: cost, releaseMs: cost, completeMs: cost }),
        async (budgetMs, costs) => {
          // Prepare
          const { receive, ports, clock } = timedReceiver(costs);

          // Act
          const response = await receive({
            ...signedRequest(eventBody("evt_prop")),
            remainingTimeMs: budgetMs,
          });

          // Assess
          expect(clock.now() - T0).toBeLessThanOrEqual(budgetMs - RESPONSE_RESERVE_MS);
          expect([200, 503]).toContain(response.statusCode);
          const forwarded = ports.sink.forwarded.length;
          expect(forwarded).toBe(response.statusCode === 200 ? 1 : 0);
          const pending = [...ports.dedupe.items.values()].filter((item) => item.status === "pending");
          // A claim stays pending only when the bookkeeping write that settles it (release or done mark)
          // was cut off by the cleanup deadline; the lease then hands it to a later delivery.
          const cutOff = (name: "release" | "complete", costMs: number) =>
            ports.seen.some((call) => call.startsWith(`${name} `) && Number(call.split(" ")[1]) < costMs);
          const unsettled = cutOff("release", costs.releaseMs) || cutOff("complete", costs.completeMs);
          expect(pending).toHaveLength(unsettled ? 1 : 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
