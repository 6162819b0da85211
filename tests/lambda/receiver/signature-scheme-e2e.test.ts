/**
 * The first real delivery, rehearsed (issue 14): the emulator signs with preset B while the receiver is
 * configured for preset A. Every delivery is a 401 and the probe names exactly B with the config command that
 * selects it; after the receiver is redeployed with B, the emulator's retries of the same deliveries verify.
 */
import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { ENV_NAMES } from "../../../contract/env-names";
import { buildAwsReceiver, createHandler, type Handler } from "../../../lambda/receiver/handler";
import {
  type FakeSecretsManager,
  type HttpAdapter,
  type LocalDynamo,
  localReceiverEnv,
  startFakeSecretsManager,
  startHttpAdapter,
  startLocalDynamo,
} from "../../../local";
import type { SignaturePresetName } from "../../../contract/signature-presets";
import { goodHeaders } from "../../support/emulator";

const API_KEY = DEFAULT_API_KEYS[0]!;
/** What a well-behaved API client sends (the emulator tests' helper). */
const HEADERS = goodHeaders(API_KEY);
const EVENTS = 3;

/** Polls `condition` every 10 ms; fails with `what` after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each<[SignaturePresetName, SignaturePresetName]>([
  ["hex-key", "lemon-default"],
  ["standard-webhooks", "lemon-default"],
  ["stripe-like", "base64-digest"],
])("End to end: the emulator signs with %s, the receiver is configured for %s", (signer, configured) => {
  let emulator: Emulator;
  let sm: FakeSecretsManager;
  let dynamo: LocalDynamo;
  let adapter: HttpAdapter;
  const lines: string[] = [];
  /** The deployed receiver: swapped to simulate a `pulumi up` that changes LEMON_SIGNATURE_SCHEME. */
  let deployed: Handler;

  function deploy(scheme: SignaturePresetName): Handler {
    const env = { ...localReceiverEnv({ secretsManager: sm, dynamo }), [ENV_NAMES.signatureScheme]: scheme };
    const write = (line: string) => lines.push(line);
    return createHandler(() => buildAwsReceiver({ env, write, clock: { now: () => Date.now() } }), write);
  }

  beforeAll(async () => {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: 14,
      signatureScheme: signer,
      delivery: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 1000 },
    });
    [sm, dynamo] = await Promise.all([startFakeSecretsManager({ versions: [] }), startLocalDynamo()]);
    deployed = deploy(configured);
    adapter = await startHttpAdapter({
      handler: (event) => deployed(event),
      path: "/hook",
    });
  });

  afterAll(async () => {
    await emulator.close();
    await Promise.all([adapter.close(), sm.close(), dynamo.close()]);
  });

  it("answers 401 and names exactly the signer's preset; after the switch the same deliveries verify", async () => {
    // Prepare: register, and store the secret as the component would
    const registered = await fetch(`${emulator.baseUrl}/webhooks`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({ url: adapter.url, events: ["account.created"] }),
    });
    const webhook = (await registered.json()) as { signature_secret: string };
    sm.putSecretValue(webhook.signature_secret);

    // Act 1: deliveries under the wrong scheme, each tried at least twice
    const events = Array.from({ length: EVENTS }, (_, i) =>
      emulator.emit("account.created", { account: `cusa_${String(i).padStart(32, "0")}` }),
    );
    await until(
      () => events.every((event) => emulator.deliveries.filter((d) => d.eventId === event.id).length >= 2),
      "two attempts of every delivery",
    );
    emulator.pauseDeliveries();
    await new Promise((resolve) => setTimeout(resolve, 100)); // in-flight attempts finish

    // Assess 1: every attempt a 401; the probe names the signer, with the exact command, and nothing else
    const before = [...emulator.deliveries];
    expect(new Set(before.map((d) => d.status))).toEqual(new Set([401]));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const probeLines = parsed.filter((line) => line.msg === "signature_scheme_probe");
    expect(probeLines.length).toBeGreaterThanOrEqual(Math.min(before.length, 10));
    expect(
      new Set(probeLines.map(({ timestamp: _t, requestId: _r, ...rest }) => JSON.stringify(rest))),
    ).toEqual(
      new Set([
        JSON.stringify({
          level: "warn",
          msg: "signature_scheme_probe",
          matchedPreset: signer,
          configCommand: `pulumi config set lemon-webhooks:signatureScheme ${signer}`,
        }),
      ]),
    );
    expect(new Set(parsed.filter((line) => "SchemeProbeMatched" in line).map((line) => line.Preset))).toEqual(
      new Set([signer]),
    );
    const log = lines.join("\n");
    expect(log).not.toContain(webhook.signature_secret);
    expect(log).not.toContain("cusa_");

    // Act 2: `pulumi config set lemon-webhooks:signatureScheme <signer>` + `pulumi up`
    deployed = deploy(signer);
    emulator.resumeDeliveries();
    await emulator.waitForDeliveries(15_000);

    // Assess 2: the retries of the same deliveries verify and are stored; nothing new was emitted
    const after = emulator.deliveries.slice(before.length);
    for (const event of events) {
      const attempts = after.filter((d) => d.eventId === event.id);
      expect({ event: event.id, last: attempts.at(-1)?.status }).toEqual({ event: event.id, last: 200 });
    }
    expect(after.filter((d) => d.status === 200)).toHaveLength(EVENTS);
    expect(emulator.events()).toHaveLength(EVENTS);
    const stored = parsed.length;
    expect(
      lines
        .slice(stored)
        .map((line) => JSON.parse(line).outcome)
        .filter(Boolean),
    ).toEqual(Array(EVENTS).fill("stored"));
  });
});
