/**
 * Registration under faults, engine level: random sequences of create, refresh, replace and delete through
 * Pulumi's provider host while the emulator injects 5xx, 429, slow answers and commit-then-drop. After every
 * step the webhooks at lemon.markets must be exactly those the engine's state holds.
 */
import fc from "fast-check";
import { type Emulator, startEmulator } from "../../emulator";
import { API_KEY, serializedProvider } from "../support/provider-fixture";
import { type ProviderHost, startProviderHost } from "../support/provider-host";
import {
  registrationFaults,
  registrationSteps,
  resetEmulator,
  runSequence,
  type SequenceReport,
} from "../support/reliability/registration";

const SEED = 77_001;
const URL_BASE = "https://receiver.example.com/hooks";

describe("Reliability: registration under API faults", () => {
  let emu: Emulator;
  let host: ProviderHost;
  let provider: string;
  const injected: string[] = [];
  const reports: SequenceReport[] = [];

  beforeAll(async () => {
    provider = await serializedProvider();
    emu = await startEmulator({
      apiKeys: [API_KEY],
      seed: SEED,
      log: (line) => {
        if (line.includes("injected")) injected.push(line);
      },
    });
    host = await startProviderHost();
    await host.configure({ "lemonmarkets:apiKey": API_KEY });
  }, 60_000);

  afterAll(async () => {
    await host.close();
    await emu.close();
  });

  it("leaves exactly the webhooks state holds after every step: no orphan, no ghost, no duplicate", async () => {
    // Prepare
    const property = fc.asyncProperty(registrationSteps(10, 16), fc.nat(), async (steps, faultSeed) => {
      await resetEmulator(emu, API_KEY);
      const report = await runSequence(
        host,
        emu,
        provider,
        steps,
        registrationFaults(0.35, faultSeed),
        URL_BASE,
      );
      reports.push(report);
      expect({ orphans: report.orphans, ghosts: report.ghosts, duplicates: report.duplicates }).toEqual({
        orphans: [],
        ghosts: [],
        duplicates: [],
      });
    });

    // Act
    await fc.assert(property, { numRuns: 8, seed: SEED, endOnFailure: true });

    // Assess: faults of every kind were injected and some operations really failed, so the check is not vacuous.
    const kinds = new Set(
      injected.map((line) => /injected (\w+)|(dropped)/.exec(line)?.slice(1).find(Boolean)),
    );
    expect([...kinds].sort()).toEqual(["dropped", "retryAfter", "slow", "status"]);
    const failedSteps = reports.reduce((n, r) => n + Object.values(r.failed).reduce((a, b) => a + b, 0), 0);
    expect(failedSteps).toBeGreaterThan(0);
  }, 120_000);

  it("never puts the API key or a signature secret into a failure message", () => {
    // Assess: messages of the failed steps above (jest runs tests of a file in order).
    const secrets = [API_KEY, ...reports.flatMap((report) => report.secrets)];
    const messages = reports.flatMap((report) => report.messages);
    const texts = [...messages, host.output()].join("\n");
    expect(messages.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(10);
    expect(secrets.every((secret) => secret.length >= 16)).toBe(true);
    expect(secrets.filter((secret) => texts.includes(secret))).toEqual([]);
  });
});
