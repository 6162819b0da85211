import { type Emulator, type EmulatorOptions, retryDelayMs, startEmulator } from "../../emulator";
import { verify } from "../../contract/signature";
import {
  API_KEY,
  call,
  type Receiver,
  type ReceiverScript,
  register,
  SEED_ACCOUNT_BODY,
  startReceiver,
} from "../support/emulator";

const FAST: EmulatorOptions["delivery"] = { timeoutMs: 2000, baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 };

/** Polls `condition` every 5 ms; fails with `what` after 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("Emulator: deliveries", () => {
  const started: { close(): Promise<void> }[] = [];

  async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
    const emu = await startEmulator({ apiKeys: [API_KEY], delivery: FAST, ...options });
    started.push(emu);
    return emu;
  }

  async function receiver(script?: ReceiverScript): Promise<Receiver> {
    const instance = await startReceiver(script);
    started.push(instance);
    return instance;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((instance) => instance.close()));
  });

  it("delivers the seed walkthrough's account.created, signed so verify() accepts it", async () => {
    // Prepare
    const emu = await emulator();
    const hook = await receiver();
    const webhook = await register(emu, hook.url, ["account.created"]);

    // Act
    const created = await call(emu, "POST", "/accounts", { body: SEED_ACCOUNT_BODY });
    await emu.waitForDeliveries();

    // Assess
    expect(created.status).toBe(201);
    const accountId = (created.json as { id: string }).id;
    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.event).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: "account.created",
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/),
      context: { account: accountId },
    });
    expect(Object.keys(delivery!.event)).toEqual(["id", "type", "created_at", "context"]);
    expect(delivery!.event).toEqual(emu.events()[0]);
    const signature = delivery!.headers["lemon-markets-signature"] as string;
    expect(verify(delivery!.rawBody, signature, [webhook.signature_secret])).toBe(true);
    expect(verify(delivery!.rawBody, signature, ["f".repeat(64)])).toBe(false);
    expect(emu.deliveries).toEqual([
      {
        eventId: delivery!.event.id,
        webhookId: webhook.id,
        attempt: 1,
        status: 200,
        durationMs: expect.any(Number),
        duplicate: false,
        at: expect.any(Number),
      },
    ]);
  });

  it("retries a receiver answering 500, 500, 200 exactly until the 200: three attempts", async () => {
    // Prepare
    const emu = await emulator();
    const hook = await receiver((index) => ({ status: index < 2 ? 500 : 200 }));
    await register(emu, hook.url, ["order.executed"]);

    // Act
    const event = emu.emit("order.executed", { account: "cusa_1", order: "ord_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(hook.received.map((delivery) => delivery.event.id)).toEqual([event.id, event.id, event.id]);
    expect(new Set(hook.received.map((delivery) => delivery.rawBody)).size).toBe(1);
    expect(emu.deliveries.map(({ attempt, status, error }) => ({ attempt, status, error }))).toEqual([
      { attempt: 1, status: 500, error: undefined },
      { attempt: 2, status: 500, error: undefined },
      { attempt: 3, status: 200, error: undefined },
    ]);
  });

  it("treats any status other than 200 as failure, even another 2xx", async () => {
    // Prepare
    const emu = await emulator();
    const hook = await receiver((index) => ({ status: index === 0 ? 204 : 200 }));
    await register(emu, hook.url, ["order.executed"]);

    // Act
    emu.emit("order.executed", { account: "cusa_1", order: "ord_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(emu.deliveries.map((attempt) => attempt.status)).toEqual([204, 200]);
  });

  it("retries a receiver slower than the delivery timeout and records the timeout", async () => {
    // Prepare
    const emu = await emulator({ delivery: { ...FAST, timeoutMs: 100 } });
    const hook = await receiver((index) => ({ status: 200, delayMs: index === 0 ? 400 : 0 }));
    await register(emu, hook.url, ["account.created"]);

    // Act
    emu.emit("account.created", { account: "cusa_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(hook.received).toHaveLength(2);
    expect(emu.deliveries.map(({ attempt, status, error }) => ({ attempt, status, error }))).toEqual([
      { attempt: 1, status: undefined, error: "timeout" },
      { attempt: 2, status: 200, error: undefined },
    ]);
    expect(emu.deliveries[0]!.durationMs).toBeGreaterThanOrEqual(99);
  });

  it("gives up after maxAttempts, waiting the exponential backoff between attempts", async () => {
    // Prepare
    const delivery = { ...FAST, maxAttempts: 4, baseDelayMs: 30, maxDelayMs: 60 };
    const emu = await emulator({ delivery });
    const hook = await receiver(() => ({ status: 503 }));
    await register(emu, hook.url, ["account.created"]);

    // Act
    emu.emit("account.created", { account: "cusa_1" });
    await emu.waitForDeliveries();
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Assess
    expect(emu.deliveries.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4]);
    expect(hook.received).toHaveLength(4);
    const starts = emu.deliveries.map((attempt) => attempt.at);
    const gaps = starts.slice(1).map((at, index) => at - starts[index]!);
    // Timers never fire early by more than clock rounding; upper bounds would make the test flaky.
    expect(gaps.map((gap, index) => ({ gap, waitedAtLeast: gap >= [30, 60, 60][index]! - 2 }))).toEqual(
      gaps.map((gap) => ({ gap, waitedAtLeast: true })),
    );
  });

  it("records a refused connection as an error and retries it", async () => {
    // Prepare
    const emu = await emulator({ delivery: { ...FAST, maxAttempts: 2 } });
    const hook = await receiver();
    await register(emu, hook.url, ["account.created"]);
    await hook.close();

    // Act
    emu.emit("account.created", { account: "cusa_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(emu.deliveries.map(({ attempt, status, error }) => ({ attempt, status, error }))).toEqual([
      { attempt: 1, status: undefined, error: "ECONNREFUSED" },
      { attempt: 2, status: undefined, error: "ECONNREFUSED" },
    ]);
  });

  it("delivers only to webhooks subscribed to the event's type", async () => {
    // Prepare
    const emu = await emulator();
    const accounts = await receiver();
    const orders = await receiver();
    await register(emu, accounts.url, ["account.created", "account.opened"]);
    await register(emu, orders.url, ["order.executed"]);

    // Act
    const opened = emu.emit("account.opened", { account: "cusa_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(accounts.received.map((delivery) => delivery.event.id)).toEqual([opened.id]);
    expect(orders.received).toEqual([]);
  });

  it("delivers nothing more to a deleted webhook, not even pending retries", async () => {
    // Prepare
    const emu = await emulator({ delivery: { ...FAST, baseDelayMs: 200, maxDelayMs: 200 } });
    const hook = await receiver(() => ({ status: 500 }));
    const webhook = await register(emu, hook.url, ["account.created"]);
    emu.emit("account.created", { account: "cusa_1" });
    await until(() => emu.deliveries.length === 1, "the first attempt");

    // Act
    const deleted = await call(emu, "DELETE", `/webhooks/${webhook.id}`);
    await emu.waitForDeliveries();
    emu.emit("account.created", { account: "cusa_2" });
    await emu.waitForDeliveries();

    // Assess
    expect(deleted.status).toBe(204);
    expect(hook.received).toHaveLength(1);
    expect(emu.deliveries).toHaveLength(1);
  });

  it("sends every delivery twice with duplicateRate 1, the copy marked as such", async () => {
    // Prepare
    const emu = await emulator({ delivery: { ...FAST, duplicateRate: 1 } });
    const hook = await receiver();
    await register(emu, hook.url, ["account.created"]);

    // Act
    const event = emu.emit("account.created", { account: "cusa_1" });
    await emu.waitForDeliveries();

    // Assess
    expect(hook.received.map((delivery) => delivery.event.id)).toEqual([event.id, event.id]);
    expect(emu.deliveries.map((attempt) => attempt.duplicate).sort()).toEqual([false, true]);
  });

  it("duplicates the same deliveries for the same seed with a fractional duplicateRate", async () => {
    // Prepare
    const delivery = { ...FAST, duplicateRate: 0.5 };
    const emus = [await emulator({ seed: 11, delivery }), await emulator({ seed: 11, delivery })];

    // Act
    const duplicated = await Promise.all(
      emus.map(async (emu) => {
        const hook = await receiver();
        await register(emu, hook.url, ["account.created"]);
        const ids = Array.from(
          { length: 20 },
          (_, index) => emu.emit("account.created", { account: `cusa_${index}` }).id,
        );
        await emu.waitForDeliveries();
        return ids.flatMap((id, index) =>
          hook.received.filter((d) => d.event.id === id).length === 2 ? [index] : [],
        );
      }),
    );

    // Assess
    expect(duplicated[0]).toEqual(duplicated[1]);
    expect(duplicated[0]!.length).toBeGreaterThan(0);
    expect(duplicated[0]!.length).toBeLessThan(20);
  });

  it("delivers out of emission order with reorder on, in the same order for the same seed", async () => {
    // Prepare
    const delivery = { ...FAST, reorder: true, reorderWindowMs: 80, concurrency: 1 };
    const emus = [await emulator({ seed: 7, delivery }), await emulator({ seed: 7, delivery })];

    // Act
    const orders = await Promise.all(
      emus.map(async (emu) => {
        const hook = await receiver();
        await register(emu, hook.url, ["account.created"]);
        const ids = Array.from(
          { length: 8 },
          (_, index) => emu.emit("account.created", { account: `cusa_${index}` }).id,
        );
        await emu.waitForDeliveries();
        return hook.received.map((delivery) => ids.indexOf(delivery.event.id));
      }),
    );

    // Assess
    expect([...orders[0]!].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(orders[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(orders[1]).toEqual(orders[0]);
  });

  it("delivers in emission order with reorder off and one delivery at a time", async () => {
    // Prepare
    const emu = await emulator({ delivery: { ...FAST, concurrency: 1 } });
    const hook = await receiver();
    await register(emu, hook.url, ["account.created"]);

    // Act
    const ids = Array.from(
      { length: 8 },
      (_, index) => emu.emit("account.created", { account: `cusa_${index}` }).id,
    );
    await emu.waitForDeliveries();

    // Assess
    expect(hook.received.map((delivery) => delivery.event.id)).toEqual(ids);
  });

  it("holds deliveries while paused and sends them on resume", async () => {
    // Prepare
    const emu = await emulator();
    const hook = await receiver();
    await register(emu, hook.url, ["account.created"]);
    emu.pauseDeliveries();

    // Act
    const event = emu.emit("account.created", { account: "cusa_1" });
    const whilePaused = await emu.waitForDeliveries(50).then(
      () => "idle",
      (error: Error) => error.message,
    );
    emu.resumeDeliveries();
    await emu.waitForDeliveries();

    // Assess
    expect(whilePaused).toBe("1 deliveries still unfinished after 50 ms");
    expect(hook.received.map((delivery) => delivery.event.id)).toEqual([event.id]);
  });

  it("rejects pending waiters when closed", async () => {
    // Prepare
    const emu = await emulator();
    const hook = await receiver();
    await register(emu, hook.url, ["account.created"]);
    emu.pauseDeliveries();
    emu.emit("account.created", { account: "cusa_1" });
    const waiting = emu.waitForDeliveries();

    // Act
    await emu.close();

    // Assess
    await expect(waiting).rejects.toThrow("emulator closed with 1 deliveries unfinished");
    expect(hook.received).toEqual([]);
  });

  it("refuses to emit an unknown event type or a non-string context", async () => {
    // Prepare
    const emu = await emulator();

    // Act
    const unknownType = () => emu.emit("account.exploded", { account: "cusa_1" });
    const badContext = () => emu.emit("account.created", { account: 1 as unknown as string });

    // Assess
    expect(unknownType).toThrow(
      'type must be a published lemon.markets event type such as "account.created"',
    );
    expect(badContext).toThrow("context must be an object of string identifiers");
    expect(emu.events()).toEqual([]);
  });
});

describe("Function: retryDelayMs", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32000],
    [7, 60000],
    [20, 60000],
  ])("waits %i → %i ms with the defaults (doubling, capped at 60 s)", (failedAttempt, expected) => {
    expect(retryDelayMs(failedAttempt, {})).toBe(expected);
  });
});
