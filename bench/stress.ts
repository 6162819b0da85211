/**
 * `npm run stress`: the reliability scenarios of tests/reliability scaled up, printing the figures that
 * docs/reliability.md records. Not part of CI (minutes, not seconds). Exits 1 if any run lost an acknowledged
 * event, put one on the bus twice without a causal reason (see tests/support/reliability/oracle.ts), did not
 * reach quiescence within its cap, accepted a forgery, answered 500 or left an orphan webhook.
 *
 * Sizes: `STRESS_EVENTS` (default 20000), `STRESS_FORGERIES` (20000), `STRESS_SEQUENCES` (30). The load run
 * adds random late answers (0.1–0.5 %) and resets (0.5–1 %) on the forwarder's side too, which CI only forces
 * once each, and a 10 s EventBridge outage.
 */
import { cpus, loadavg } from "node:os";
import fc from "fast-check";
import { startEmulator } from "../emulator";
import { buildAwsReceiver, createHandler } from "../lambda/receiver/handler";
import { localReceiverEnv, startFakeSecretsManager, startLocalDynamo } from "../local";
import { API_KEY, serializedProvider } from "../tests/support/provider-fixture";
import { startProviderHost } from "../tests/support/provider-host";
import {
  FORGERY_SECRET,
  forgeryCase,
  isAuthentic,
  toEvent,
  violations,
} from "../tests/support/reliability/forgery";
import { CI_LOAD, runLoad, summaryLine } from "../tests/support/reliability/load";
import {
  registrationFaults,
  registrationSteps,
  resetEmulator,
  runSequence,
} from "../tests/support/reliability/registration";

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function stressLoad(): Promise<boolean> {
  const events = size("STRESS_EVENTS", 20_000);
  const report = await runLoad({
    ...CI_LOAD,
    events,
    // Forwarder side: each late answer stalls the stream's one shard for the forwarder's 10 s timeout, so
    // late answers are rarer there than resets (the same ambiguity, answered at once).
    dynamoRates: { ...CI_LOAD.dynamoRates, "*": { late: 0.001, reset: 0.005, throttle: 0.03 } },
    eventBridgeRates: { PutEvents: { late: 0.005, reset: 0.01, throttle: 0.03 } },
    secretOutageMs: 3_000,
    eventBridgeOutageMs: 10_000,
    quiescenceCapMs: 900_000,
  });
  process.stdout.write(`${summaryLine(report)}\n`);
  const unexpected = Object.keys(report.statuses).filter(
    (status) => !["200", "503", "error:timeout"].includes(status),
  );
  const { verdict } = report;
  return (
    verdict.lost.length === 0 &&
    verdict.acknowledgedNotStored.length === 0 &&
    verdict.unexplainedDoubles.length === 0 &&
    verdict.unfinished.length === 0 &&
    report.givenUp.length === 0 &&
    report.quiesced &&
    report.logged500 === 0 &&
    report.unexplained503.length === 0 &&
    unexpected.length === 0
  );
}

async function stressForgery(): Promise<boolean> {
  const runs = size("STRESS_FORGERIES", 20_000);
  const [sm, dynamo] = await Promise.all([
    startFakeSecretsManager({ versions: [{ secret: FORGERY_SECRET, createdAt: new Date() }] }),
    startLocalDynamo(),
  ]);
  const env = localReceiverEnv({ secretsManager: sm, dynamo });
  const handler = createHandler(() => buildAwsReceiver({ env, write: () => undefined, clock: Date }));
  const statuses: Record<string, number> = {};
  let forgedAccepted = 0;
  let authentic = 0;
  const problems: string[] = [];
  try {
    for (const c of fc.sample(forgeryCase, { numRuns: runs, seed: 4_242 })) {
      const outcome = await handler(toEvent(c)).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      );
      const key = outcome instanceof Error ? "thrown" : String(outcome.statusCode);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (isAuthentic(c)) authentic += 1;
      else if (!(outcome instanceof Error) && outcome.statusCode === 200) forgedAccepted += 1;
      problems.push(...violations(c, outcome).map((problem) => `${c.attack}: ${problem}`));
    }
  } finally {
    await Promise.all([sm.close(), dynamo.close()]);
  }
  const counts = Object.entries(statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  process.stdout.write(
    `forgery: ${runs} cases (${authentic} authentic controls), answers ${counts}; forged accepted ${forgedAccepted}, ` +
      `5xx ${Object.entries(statuses)
        .filter(([s]) => s.startsWith("5"))
        .reduce((n, [, c]) => n + c, 0)}, ` +
      `thrown ${statuses.thrown ?? 0}, other problems ${problems.length}\n`,
  );
  return problems.length === 0 && forgedAccepted === 0;
}

async function stressRegistration(): Promise<boolean> {
  const sequences = size("STRESS_SEQUENCES", 30);
  const provider = await serializedProvider();
  let injected = 0;
  const emu = await startEmulator({
    apiKeys: [API_KEY],
    seed: 5,
    log: (line) => {
      if (line.includes("injected")) injected += 1;
    },
  });
  const host = await startProviderHost();
  let steps = 0;
  let failedSteps = 0;
  let mismatches = 0;
  try {
    await host.configure({ "lemonmarkets:apiKey": API_KEY });
    const samples = fc.sample(fc.tuple(registrationSteps(10, 20), fc.nat()), { numRuns: sequences, seed: 9 });
    for (const [sequence, seed] of samples) {
      await resetEmulator(emu, API_KEY);
      const report = await runSequence(
        host,
        emu,
        provider,
        sequence,
        registrationFaults(0.35, seed),
        "https://receiver.example.com/hooks",
      );
      steps += report.steps;
      failedSteps += Object.values(report.failed).reduce((a, b) => a + b, 0);
      mismatches += report.orphans.length + report.ghosts.length + report.duplicates.length;
    }
  } finally {
    await host.close();
    await emu.close();
  }
  process.stdout.write(
    `registration: ${sequences} sequences, ${steps} steps, ${injected} API faults injected, ${failedSteps} operations failed ` +
      `as the engine would report; orphans/ghosts/duplicates ${mismatches}\n`,
  );
  return mismatches === 0;
}

async function main(): Promise<void> {
  const started = new Date();
  process.stdout.write(
    `stress on ${started.toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}\n`,
  );
  const results = [await stressLoad(), await stressForgery(), await stressRegistration()];
  if (results.includes(false)) {
    process.stdout.write("stress: FAILED (see the figures above)\n");
    process.exitCode = 1;
  } else process.stdout.write("stress: all figures as required\n");
}

void main();
