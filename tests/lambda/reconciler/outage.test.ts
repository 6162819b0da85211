import { inspect } from "node:util";
import type { LemonEvent } from "../../../emulator";
import { buildAwsReconciler, createReconcilerHandler } from "../../../lambda/reconciler/handler";
import { WATERMARK_KEY } from "../../../lambda/reconciler/watermark";
import { startWorld, WORLD_API_KEY, type World } from "../../support/reconciler-world";

/**
 * The production handler on the world. By default it runs with no settle time, because these tests emit
 * their events right before the run; `settleSeconds` (and a clock `aheadMs` of real time, standing for a
 * later run) test the settle rule itself.
 */
function handlerFor(world: World, lines: string[], { settleSeconds = 0, aheadMs = 0 } = {}) {
  const write = (line: string) => lines.push(line);
  const clock = { now: () => Date.now() + aheadMs };
  const env = { ...world.reconcilerEnv(), LEMON_RECONCILER_SETTLE_SECONDS: String(settleSeconds) };
  const handler = createReconcilerHandler(() => buildAwsReconciler({ env, write, clock }), {
    write,
    clock,
    functionName: "lemon-reconciler-test",
  });
  // A run stores; the table's stream forwards what it stored. Resolve once both are done.
  return async (...args: Parameters<typeof handler>) => {
    const summary = await handler(...args);
    await world.stream.idle();
    return summary;
  };
}

/** Deliveries answered, and everything the receiver stored forwarded by the stream. */
async function settled(world: World): Promise<void> {
  await world.emulator.waitForDeliveries();
  await world.stream.idle();
}

function emitMany(world: World, count: number, types: readonly string[]): LemonEvent[] {
  return Array.from({ length: count }, (_, i) =>
    world.emulator.emit(types[i % types.length]!, { account: `cusa_${String(i).padStart(4, "0")}` }),
  );
}

describe("Reconciler against the emulator: a receiver outage", () => {
  let world: World;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  it("stores exactly the events whose deliveries were exhausted, once (the stream forwards them), and nothing on the next run", async () => {
    // Prepare: 5 events delivered normally, then the receiver is down while 100 are emitted (deliveries exhaust).
    const before = emitMany(world, 5, ["order.executed"]);
    await settled(world);
    world.setReceiverDown(true);
    const missed = emitMany(world, 100, ["order.executed", "account.created"]);
    const unsubscribed = emitMany(world, 10, ["identification.created"]);
    await settled(world);
    world.setReceiverDown(false);
    const missedIds = new Set(missed.map((e) => e.id));
    const failedAttempts = world.emulator.deliveries.filter((d) => missedIds.has(d.eventId));
    const lines: string[] = [];
    const handler = handlerFor(world, lines);

    // Act
    const first = await handler({}, { getRemainingTimeInMillis: () => 300_000 });
    const entriesAfterFirst = [...world.eventBridge.entries];
    const second = await handler({}, { getRemainingTimeInMillis: () => 300_000 });

    // Assess
    expect(failedAttempts).toHaveLength(200);
    expect(failedAttempts.every((d) => d.status === 503)).toBe(true);
    const forwardedIds = entriesAfterFirst.map((e) => JSON.parse(e.detail).id as string);
    // Webhook deliveries run concurrently (any order); the reconciler stores oldest first, the stream keeps that order.
    expect(forwardedIds.slice(0, 5).sort()).toEqual(before.map((e) => e.id).sort());
    expect(forwardedIds.slice(5)).toEqual(missed.map((e) => e.id));
    // The emulator serialises deliveries and GET /v1/events alike, so here even the bytes are equal.
    expect(entriesAfterFirst.slice(5).map((e) => e.detail)).toEqual(missed.map((e) => JSON.stringify(e)));
    expect(entriesAfterFirst.slice(5).map((e) => e.detailType)).toEqual(missed.map((e) => e.type));
    expect(first).toMatchObject({
      outcome: "complete",
      scanned: 115,
      recovered: 100,
      alreadyStored: 5,
      ignored: 10,
      invalid: 0,
      watermarkMoved: true,
    });
    expect(unsubscribed.every((e) => !world.eventBridge.entries.some((x) => x.detail.includes(e.id)))).toBe(
      true,
    );
    expect(second).toMatchObject({ outcome: "complete", recovered: 0, alreadyStored: 105, scanned: 115 });
    expect(world.eventBridge.entries).toHaveLength(105);
    expect(await world.dynamo.getItem(missed[99]!.id)).toMatchObject({
      via: { S: "reconciler" },
      forwardedAtMs: { N: expect.stringMatching(/^\d+$/) },
    });
    expect(lines.join("\n")).not.toContain(WORLD_API_KEY);
  });

  it("has nothing to recover when EventBridge failed during the deliveries: they were answered 200, stored and forwarded by the stream's retries", async () => {
    // Prepare
    world.eventBridge.failNext(2, "unavailable");
    const events = emitMany(world, 6, ["order.executed"]);
    await settled(world);
    const handler = handlerFor(world, []);

    // Act
    const report = await handler({}, { getRemainingTimeInMillis: () => 300_000 });

    // Assess
    const answered = world.emulator.deliveries.filter((d) => !d.duplicate).map((d) => d.status);
    expect(answered).toEqual(events.map(() => 200));
    expect(report).toMatchObject({ outcome: "complete", recovered: 0, alreadyStored: 6 });
    const ids = world.eventBridge.entries.map((e) => JSON.parse(e.detail).id as string);
    expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
    expect(world.stream.failures).toEqual([]);
  });

  it("pages through GET /v1/events oldest first with the privacy headers, then follows the cursor", async () => {
    // Prepare: 130 events of a type the webhook is not registered for (cheap: read, never forwarded), and one
    // missed subscribed event on the second page.
    emitMany(world, 130, ["identification.created"]);
    world.setReceiverDown(true);
    const [last] = emitMany(world, 1, ["account.created"]);
    await settled(world);
    world.setReceiverDown(false);
    const handler = handlerFor(world, []);

    // Act
    const report = await handler({}, { getRemainingTimeInMillis: () => 300_000 });

    // Assess
    expect(report).toMatchObject({ scanned: 131, ignored: 130, recovered: 1 });
    expect(world.eventBridge.entries.map((e) => e.detail)).toEqual([JSON.stringify(last)]);
    const reads = world.emulator.requests.filter((r) => r.path === "/v1/events");
    expect(reads).toHaveLength(2);
    expect(Object.keys(reads[0]!.query).sort()).toEqual(["limit", "since", "sort"]);
    expect(reads[0]!.query.sort).toBe("asc");
    expect(reads[0]!.query.limit).toBe("100");
    expect(Object.keys(reads[1]!.query).sort()).toEqual(["cursor", "limit"]);
    expect(reads.every((r) => r.authorized)).toBe(true);
    expect(reads[0]!.headers["lmg-data-privacy-access-principal"]).toBe(
      "lemon-webhooks/reconciler (automated reconciliation)",
    );
    expect(reads[0]!.headers["lmg-data-privacy-access-justification"]).toBe(
      "reconcile missed webhook deliveries",
    );
  });

  it("leaves the stored watermark unchanged and fails the invocation when the API rejects the key", async () => {
    // Prepare: one good run stores a watermark, then the key stops working.
    emitMany(world, 3, ["order.executed"]);
    await settled(world);
    const lines: string[] = [];
    const handler = handlerFor(world, lines);
    await handler({}, { getRemainingTimeInMillis: () => 300_000 });
    const stored = await world.dynamo.getItem(WATERMARK_KEY);
    world.emulator.setApiKeys(["some-other-key"]);

    // Act
    const failure = await handler({}, { getRemainingTimeInMillis: () => 300_000 }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      "reconciliation failed: GET /v1/events failed after 1 attempt(s): HTTP 401: lemon.markets rejected the API key; set a valid one (pulumi config set --secret lemonmarkets:apiKey <key>) and redeploy",
    );
    expect(await world.dynamo.getItem(WATERMARK_KEY)).toEqual(stored);
    expect(stored?.watermarkMs?.N).toMatch(/^\d+$/);
    const emf = lines.map((l) => JSON.parse(l)).filter((r) => r._aws !== undefined);
    expect(emf.at(-1)).toMatchObject({ FailedRuns: 1, Recovered: 0 });
    expect(lines.join("\n")).not.toContain(WORLD_API_KEY);
  });

  it("leaves an event created just before the run to its webhook, and stores it in a later run (the stream forwards it) if the webhook never delivers it", async () => {
    // Prepare: the receiver is down while the event is emitted and its deliveries are exhausted.
    world.setReceiverDown(true);
    const [missed] = emitMany(world, 1, ["order.executed"]);
    await settled(world);
    world.setReceiverDown(false);
    const now = handlerFor(world, [], { settleSeconds: 300 });
    const sixMinutesLater = handlerFor(world, [], { settleSeconds: 300, aheadMs: 6 * 60_000 });

    // Act
    const first = await now({}, { getRemainingTimeInMillis: () => 300_000 });
    const entriesAfterFirst = world.eventBridge.entries.length;
    const later = await sixMinutesLater({}, { getRemainingTimeInMillis: () => 300_000 });

    // Assess
    expect(first).toMatchObject({ outcome: "complete", scanned: 0, recovered: 0, watermarkMoved: true });
    expect(entriesAfterFirst).toBe(0);
    expect(first.watermarkMs).toBeLessThan(Date.parse(missed!.created_at));
    expect(later).toMatchObject({ outcome: "complete", scanned: 1, recovered: 1 });
    expect(world.eventBridge.entries.map((e) => e.detail)).toEqual([JSON.stringify(missed)]);
  });

  it("fails a run whose stored key cannot be a header value with a secret-free message naming the config key, sending nothing", async () => {
    // Prepare: someone stored the key with a trailing line break.
    world.apiKeySecrets.putSecretValue(`${WORLD_API_KEY}\n`);
    const lines: string[] = [];
    const handler = handlerFor(world, lines);

    // Act
    const failure = await handler({}, { getRemainingTimeInMillis: () => 300_000 }).catch((e: unknown) => e);

    // Assess
    expect((failure as Error).message).toBe(
      "reconciliation failed: the lemon.markets API key in the reconciler's secret is not a valid HTTP header value (printable ASCII, no spaces or line breaks); set it again with `pulumi config set --secret lemonmarkets:apiKey <key>` and run `pulumi up`",
    );
    expect(inspect(failure, { depth: 10 })).not.toContain(WORLD_API_KEY);
    expect(lines.join("\n")).not.toContain(WORLD_API_KEY);
    expect(world.emulator.requests.filter((r) => r.path === "/v1/events")).toEqual([]);
    expect(lines.map((l) => JSON.parse(l)).find((r) => r.msg === "reconciliation")).toMatchObject({
      level: "error",
      errorName: "ApiKeyFormatError",
    });
  });
});
