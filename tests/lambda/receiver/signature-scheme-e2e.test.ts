/**
 * The first real delivery, rehearsed (issue 14): the emulator signs with preset B while the receiver is
 * configured for preset A. Every delivery is a 401 and the probe names exactly B with the config command that
 * selects it; after the receiver is redeployed with B, the emulator's retries of the same deliveries verify.
 */

import { registerAtEmulator } from "../../../bench/scenarios/registration";
import { ENV_NAMES } from "../../../contract/env-names";
import type { SignaturePresetName } from "../../../contract/signature-presets";
import { DEFAULT_API_KEYS, type Emulator, startEmulator } from "../../../emulator";
import { type LocalReceiver, startLocalReceiver } from "../../support/local-receiver";

const API_KEY = DEFAULT_API_KEYS[0]!;
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
  let receiver: LocalReceiver;

  beforeAll(async () => {
    emulator = await startEmulator({
      apiKeys: [API_KEY],
      seed: 14,
      signatureScheme: signer,
      delivery: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 1000 },
    });
    receiver = await startLocalReceiver({
      path: "/hook",
      forward: false,
      env: { [ENV_NAMES.signatureScheme]: configured },
    });
  });

  afterAll(async () => {
    await emulator.close();
    await receiver.close();
  });

  it("answers 401 and names exactly the signer's preset; after the switch the same deliveries verify", async () => {
    // Prepare: register, and store the secret as the component would
    const signatureSecret = await registerAtEmulator(emulator, API_KEY, {
      url: receiver.url,
      events: ["account.created"],
    });
    receiver.secretsManager.putSecretValue(signatureSecret);

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
    const parsed = receiver.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
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
    const log = receiver.lines.join("\n");
    expect(log).not.toContain(signatureSecret);
    expect(log).not.toContain("cusa_");

    // Act 2: `pulumi config set lemon-webhooks:signatureScheme <signer>` + `pulumi up`
    receiver.redeploy({ [ENV_NAMES.signatureScheme]: signer });
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
      receiver.lines
        .slice(stored)
        .map((line) => JSON.parse(line).outcome)
        .filter(Boolean),
    ).toEqual(Array(EVENTS).fill("stored"));
  });
});
