/**
 * Forgery and bad input against the production handler (in process, on the local stand-ins): thousands of
 * seeded random and mutated deliveries. Never a 200 without the exact signature, never a 5xx, never an
 * exception out of the handler, and nothing in a response or log line that helps an attacker.
 */
import fc from "fast-check";
import { buildAwsReceiver, createHandler, type Handler } from "../../lambda/receiver/handler";
import {
  type FakeSecretsManager,
  type LocalDynamo,
  localReceiverEnv,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../local";
import { sign } from "../../contract/signature";
import { SchemeProbe } from "../../lambda/receiver/signature-probe";
import {
  FORGERY_SECRET,
  type ForgeryCase,
  forgeryCase,
  isAuthentic,
  OTHER_SECRET,
  toEvent,
  violations,
} from "../support/reliability/forgery";
import { storedEvents } from "../support/reliability/table";

const RUNS = 3_000;
const SEED = 424_242;

describe("Reliability: forged and malformed deliveries", () => {
  let sm: FakeSecretsManager;
  let dynamo: LocalDynamo;
  let handler: Handler;
  const lines: string[] = [];

  beforeAll(async () => {
    [sm, dynamo] = await Promise.all([
      startFakeSecretsManager({ versions: [{ secret: FORGERY_SECRET, createdAt: new Date() }] }),
      startLocalDynamo(),
    ]);
    const env = localReceiverEnv({ secretsManager: sm, dynamo });
    const clock = { now: () => Date.now() };
    // The signature-scheme probe on, with its rate limit lifted: every rejected case is probed.
    const schemeProbe = new SchemeProbe({ clock, burst: 1e9, perMinute: 1e9 });
    handler = createHandler(() =>
      buildAwsReceiver({ env, write: (line) => lines.push(line), clock, schemeProbe }),
    );
  });

  afterAll(async () => {
    await Promise.all([sm.close(), dynamo.close()]);
  });

  it("never accepts, crashes on or leaks from a forged delivery (3,000 seeded cases)", async () => {
    // Prepare
    const statusesByAttack = new Map<string, Set<number>>();
    const probedByAttack = new Map<string, Set<unknown>>();
    let authenticEvents = 0;
    const property = fc.asyncProperty(forgeryCase, async (c: ForgeryCase) => {
      const logged = lines.length;
      const outcome = await handler(toEvent(c)).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      );
      for (const line of lines.slice(logged)) {
        const record = JSON.parse(line) as { msg?: string; matchedPreset?: unknown };
        if (record.msg !== "signature_scheme_probe") continue;
        probedByAttack.set(c.attack, (probedByAttack.get(c.attack) ?? new Set()).add(record.matchedPreset));
      }
      const seen = statusesByAttack.get(c.attack) ?? new Set<number>();
      seen.add(outcome instanceof Error ? -1 : outcome.statusCode);
      statusesByAttack.set(c.attack, seen);
      if (isAuthentic(c) && !(outcome instanceof Error) && outcome.statusCode === 200) authenticEvents += 1;
      expect({ attack: c.attack, transport: c.transport, problems: violations(c, outcome) }).toEqual({
        attack: c.attack,
        transport: c.transport,
        problems: [],
      });
    });

    // Act
    await fc.assert(property, { numRuns: RUNS, seed: SEED });

    // Assess: every attack was tried, and only authentic requests were ever forwarded.
    expect([...statusesByAttack.keys()].sort()).toEqual([
      "base64 instead of hex",
      "empty header",
      "extended",
      "huge header carrying the signature",
      "no header",
      "one character changed",
      "other webhook's secret",
      "prefixed",
      "random string",
      "random unicode",
      "replayed signature of another event",
      "signature hidden behind 8 decoys",
      "truncated",
      "upper-case hex (valid)",
      "valid (control)",
    ]);
    expect(authenticEvents).toBeGreaterThan(20);
    // The probe named a preset only for the two MACs made WITH the secret in another preset's encoding, and
    // exactly that preset; never for a forgery.
    expect(
      Object.fromEntries([...probedByAttack].map(([attack, presets]) => [attack, [...presets]])),
    ).toEqual({
      "base64 instead of hex": ["base64-digest"],
      prefixed: ["sha256-prefixed"],
    });
    // Stored is what will be forwarded: exactly the authentic events, nothing forged.
    expect(await storedEvents(dynamo.endpoint, dynamo.tableName)).toHaveLength(authenticEvents);
    for (const [attack, statuses] of statusesByAttack) {
      if (attack.endsWith("(valid)") || attack === "valid (control)") continue;
      expect({ attack, has200: statuses.has(200), hasError: statuses.has(-1) }).toEqual({
        attack,
        has200: false,
        hasError: false,
      });
    }
  });

  it("keeps both secrets and every expected signature out of the receiver's log lines", async () => {
    // Assess: the log of the 3,000 cases above (jest runs tests of a file in order).
    const log = lines.join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(RUNS);
    expect(log).not.toContain(FORGERY_SECRET);
    expect(log).not.toContain(OTHER_SECRET);
    expect(log).not.toMatch(/lemon-markets-signature/i);
    const stored = await storedEvents(dynamo.endpoint, dynamo.tableName);
    const forwardedSignatures = stored.map((item) => sign(item.body, FORGERY_SECRET));
    expect(forwardedSignatures.filter((signature) => log.includes(signature))).toEqual([]);
  });
});
