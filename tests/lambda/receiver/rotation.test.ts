import { SecretsManagerSecretSource } from "../../../lambda/aws/secret-source";
import { type FakeSecretsManager, startFakeSecretsManager } from "../../../local";
import { createReceiver, type Receive } from "../../../lambda/receiver/receive";
import { REFETCH_MIN_AGE_MS } from "../../../lambda/receiver/secret-keyring";
import { clientFor } from "../../support/local-aws";
import { BODY, OLD_SECRET, SECRET, signedRequest } from "../../support/events";
import { ManualClock, MemoryEventStore, T0 } from "../../support/ports";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NEW_SECRET = "n3w-secret-after-replacing-the-registration";

interface Rig {
  readonly sm: FakeSecretsManager;
  readonly clock: ManualClock;
  readonly receive: Receive;
  /** Status of a fresh delivery (new event id each time) signed with `secret`. */
  deliver(secret: string): Promise<number>;
  stages(): string[];
}

let counter = 0;
async function rig(versions: { secret: string; createdAt: Date }[]): Promise<Rig> {
  const sm = await startFakeSecretsManager({ versions });
  const clock = new ManualClock(T0);
  const receive = createReceiver({
    config: { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 },
    secrets: new SecretsManagerSecretSource(clientFor("secrets-manager", sm.endpoint), sm.arn),
    store: new MemoryEventStore(),
    clock,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { record: () => {} },
  });
  return {
    sm,
    clock,
    receive,
    deliver: async (secret) => {
      counter += 1;
      const body = BODY.replace("evt_a8b11a37", `evt_${counter}x`);
      return (await receive(signedRequest(body, secret))).statusCode;
    },
    stages: () => sm.calls.map((c) => c.versionStage),
  };
}

describe("Secret rotation through the real Secrets Manager adapter", () => {
  let r: Rig;
  afterEach(() => r.sm.close());

  it("accepts the old and the new secret while the new one is younger than the grace period", async () => {
    // Prepare
    r = await rig([
      { secret: OLD_SECRET, createdAt: new Date(T0 - 90 * DAY) },
      { secret: SECRET, createdAt: new Date(T0 - HOUR) },
    ]);

    // Act
    const statuses = [await r.deliver(SECRET), await r.deliver(OLD_SECRET)];

    // Assess
    expect(statuses).toEqual([200, 200]);
    expect(r.stages()).toEqual(["AWSCURRENT", "AWSPREVIOUS"]);
  });

  it("rejects the previous secret once the grace period after the rotation has passed", async () => {
    // Prepare
    r = await rig([
      { secret: OLD_SECRET, createdAt: new Date(T0 - 90 * DAY) },
      { secret: SECRET, createdAt: new Date(T0 - HOUR) },
    ]);
    r.clock.advance(22 * HOUR);
    const lateButInGrace = await r.deliver(OLD_SECRET);

    // Act
    r.clock.advance(HOUR + 1);
    const afterGrace = await r.deliver(OLD_SECRET);
    const current = await r.deliver(SECRET);

    // Assess
    expect(lateButInGrace).toBe(200);
    expect(afterGrace).toBe(401);
    expect(current).toBe(200);
    // Outside the grace period AWSPREVIOUS is not even fetched; the fresh cache is not refetched on failure.
    expect(r.stages()).toEqual(["AWSCURRENT", "AWSPREVIOUS", "AWSCURRENT"]);
  });

  it("refetches once after a failed verification when the registration was replaced, then accepts both", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);
    expect(await r.deliver(SECRET)).toBe(200);
    r.clock.advance(10_000);
    r.sm.putSecretValue(NEW_SECRET, new Date(r.clock.now() - 5_000));

    // Act
    const signedWithNew = await r.deliver(NEW_SECRET);
    const retryOfOld = await r.deliver(SECRET);

    // Assess
    expect(signedWithNew).toBe(200);
    expect(retryOfOld).toBe(200);
    expect(r.stages()).toEqual(["AWSCURRENT", "AWSCURRENT", "AWSPREVIOUS"]);
  });

  it("does not refetch for failures while the cache is younger than the minimum age", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);
    await r.deliver(SECRET);

    // Act
    r.clock.advance(REFETCH_MIN_AGE_MS - 1);
    const forgedEarly = await r.deliver("forger");
    const callsEarly = r.sm.calls.length;
    r.clock.advance(1);
    const forgedLater = await r.deliver("forger");

    // Assess
    expect([forgedEarly, forgedLater]).toEqual([401, 401]);
    expect(callsEarly).toBe(1);
    expect(r.sm.calls).toHaveLength(2);
  });

  it("refetches when the cache is older than LEMON_SECRET_CACHE_SECONDS", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);
    await r.deliver(SECRET);
    r.clock.advance(299_999);
    await r.deliver(SECRET);
    const withinCache = r.sm.calls.length;

    // Act
    r.clock.advance(1);
    await r.deliver(SECRET);

    // Assess
    expect(withinCache).toBe(1);
    expect(r.sm.calls).toHaveLength(2);
  });

  it("shares one fetch between concurrent requests of a cold container", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);

    // Act
    const statuses = await Promise.all(Array.from({ length: 10 }, () => r.deliver(SECRET)));

    // Assess
    expect(statuses).toEqual(Array(10).fill(200));
    expect(r.sm.calls).toHaveLength(1);
  });

  it("answers 503 (not 401) while Secrets Manager fails, and recovers", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);
    r.sm.failNext(2, "throttle");

    // Act
    const statuses = [await r.deliver(SECRET), await r.deliver(SECRET), await r.deliver(SECRET)];

    // Assess
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("keeps verifying valid deliveries from the cache when a forged request's refetch fails", async () => {
    // Prepare
    r = await rig([{ secret: SECRET, createdAt: new Date(T0 - 90 * DAY) }]);
    await r.deliver(SECRET);
    r.clock.advance(REFETCH_MIN_AGE_MS);
    r.sm.failFor(60_000, "throttle");

    // Act
    const forged = await r.deliver("forger");
    const valid = [await r.deliver(SECRET), await r.deliver(SECRET)];
    const forgedAgain = await r.deliver("forger");

    // Assess
    expect(forged).toBe(503);
    expect(valid).toEqual([200, 200]);
    expect(forgedAgain).toBe(401);
    // The first fetch, then the one refetch the forged request triggered; nothing for the valid deliveries,
    // nor for the second forgery inside the refetch interval.
    expect(r.sm.calls).toHaveLength(2);
  });
});
