import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { buildAwsForwarder, createForwarderHandler } from "../../../lambda/forwarder";
import { buildAwsReceiver, createHandler } from "../../../lambda/receiver/handler";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type HttpAdapter,
  type LocalStream,
  localForwarderEnv,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startHttpAdapter,
  startLocalDynamo,
  startLocalStream,
} from "../../../local";
import { ERIKA_MUSTERMANN_ACCOUNT } from "../../../sandbox/guide";
import { goodHeaders } from "../../support/emulator";

const API_KEY = DEFAULT_API_KEYS[0]!;
/** What a well-behaved API client sends (the emulator tests' helper). */
const HEADERS = goodHeaders(API_KEY);

describe("End to end: emulator → HTTP adapter → receiver → table stream → forwarder → EventBridge", () => {
  let emulator: Emulator;
  let sm: FakeSecretsManager;
  let eb: FakeEventBridge;
  let stream: LocalStream;
  let adapter: HttpAdapter;
  const lines: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: 7,
      delivery: { duplicateRate: 1, reorder: true, baseDelayMs: 20, maxDelayMs: 100 },
    });
    [sm, eb, stream] = await Promise.all([
      startFakeSecretsManager({ versions: [] }),
      startFakeEventBridge(),
      startLocalDynamo().then((dynamo) => startLocalStream({ dynamo })),
    ]);
    const write = (line: string) => lines.push(line);
    const clock = { now: () => Date.now() };
    stream.attach(
      createForwarderHandler(() =>
        buildAwsForwarder({
          env: localForwarderEnv({ eventBridge: eb, dynamo: stream.dynamo }),
          write,
          clock,
        }),
      ),
    );
    const env = localReceiverEnv({ secretsManager: sm, dynamo: stream.dynamo });
    const handler = createHandler(() =>
      buildAwsReceiver({ env, write: (line) => lines.push(line), clock: { now: () => Date.now() } }),
    );
    adapter = await startHttpAdapter({ handler, path: "/webhooks/lemon-markets" });
  });
  afterAll(async () => {
    await emulator.close();
    await Promise.all([adapter.close(), sm.close(), eb.close(), stream.close()]);
  });

  it("stores and forwards exactly one account.created per POST /v1/accounts despite duplicate, out-of-order delivery", async () => {
    // Prepare: register the adapter's URL and store the signature secret as the component would.
    const registered = await fetch(`${emulator.baseUrl}/webhooks`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({ url: adapter.url, events: ["account.created"] }),
    });
    const webhook = (await registered.json()) as { signature_secret: string };
    sm.putSecretValue(webhook.signature_secret);

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
    await stream.idle();

    // Assess
    expect(registered.status).toBe(201);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const events = emulator.events();
    expect(events).toHaveLength(5);
    expect(eb.entries).toHaveLength(5);
    const forwarded = eb.entries.map(
      (e) => JSON.parse(e.detail) as { id: string; context: { account: string } },
    );
    expect(new Set(forwarded.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(new Set(forwarded.map((e) => e.context.account))).toEqual(new Set(accounts.map((a) => a.id)));
    expect(eb.entries.every((e) => e.source === "lemon.markets" && e.detailType === "account.created")).toBe(
      true,
    );
    expect(emulator.deliveries.filter((d) => d.duplicate).length).toBeGreaterThanOrEqual(5);
    expect(emulator.deliveries.map((d) => d.status)).toEqual(emulator.deliveries.map(() => 200));
    expect(eb.putEventsCalls).toBeLessThanOrEqual(5);
    expect(lines.join("\n")).not.toContain(webhook.signature_secret);
  });
});
