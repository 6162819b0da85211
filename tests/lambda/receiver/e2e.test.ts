import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { ERIKA_MUSTERMANN_ACCOUNT } from "../../../sandbox/guide";
import { goodHeaders } from "../../support/emulator";
import { type LocalReceiver, startLocalReceiver } from "../../support/local-receiver";

const API_KEY = DEFAULT_API_KEYS[0]!;
/** What a well-behaved API client sends (the emulator tests' helper). */
const HEADERS = goodHeaders(API_KEY);

describe("End to end: emulator → HTTP adapter → receiver → table stream → forwarder → EventBridge", () => {
  let emulator: Emulator;
  let receiver: LocalReceiver;

  beforeAll(async () => {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: 7,
      delivery: { duplicateRate: 1, reorder: true, baseDelayMs: 20, maxDelayMs: 100 },
    });
    receiver = await startLocalReceiver();
  });
  afterAll(async () => {
    await emulator.close();
    await receiver.close();
  });

  it("stores and forwards exactly one account.created per POST /v1/accounts despite duplicate, out-of-order delivery", async () => {
    // Prepare: register the adapter's URL and store the signature secret as the component would.
    const registered = await fetch(`${emulator.baseUrl}/webhooks`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({ url: receiver.url, events: ["account.created"] }),
    });
    const webhook = (await registered.json()) as { signature_secret: string };
    receiver.secretsManager.putSecretValue(webhook.signature_secret);

    // Act
    const created = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${emulator.baseUrl}/accounts`, {
          method: "POST",
          headers: HEADERS,
          body: JSON.stringify(ERIKA_MUSTERMANN_ACCOUNT),
        }),
      ),
    );
    const accounts = (await Promise.all(created.map((r) => r.json()))) as Array<{ id: string }>;
    await emulator.waitForDeliveries();
    await receiver.stream.idle();

    // Assess
    expect(registered.status).toBe(201);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const events = emulator.events();
    expect(events).toHaveLength(5);
    expect(receiver.eventBridge.entries).toHaveLength(5);
    const forwarded = receiver.eventBridge.entries.map(
      (e) => JSON.parse(e.detail) as { id: string; context: { account: string } },
    );
    expect(new Set(forwarded.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(new Set(forwarded.map((e) => e.context.account))).toEqual(new Set(accounts.map((a) => a.id)));
    expect(
      receiver.eventBridge.entries.every(
        (e) => e.source === "lemon.markets" && e.detailType === "account.created",
      ),
    ).toBe(true);
    expect(emulator.deliveries.filter((d) => d.duplicate).length).toBeGreaterThanOrEqual(5);
    expect(emulator.deliveries.map((d) => d.status)).toEqual(emulator.deliveries.map(() => 200));
    expect(receiver.eventBridge.putEventsCalls).toBeLessThanOrEqual(5);
    expect([...receiver.lines, ...receiver.forwarderLines].join("\n")).not.toContain(
      webhook.signature_secret,
    );
  });
});
