/**
 * The story `npm start` tells: steps 1–3 from {@link startSandbox}'s progress, then the guide's account,
 * the deliveries, optionally the live phase (`--keep-running`), and unregistration. Every path — success,
 * failure, Ctrl-C — stops every server before it returns.
 *
 * Test hook: with `LEMON_SANDBOX_SECRETS_FD=<fd>` the run writes `{"apiKey","signatureSecret"}` as one JSON
 * line to that already-open file descriptor (never to stdout/stderr), so a test can prove the printed story
 * contains neither. Both are throwaway values of this run's emulator.
 */
import fs from "node:fs";
import path from "node:path";
import { formatSignatureScheme } from "../contract/signature-presets";
import type { SandboxCliOptions } from "./args";
import { SandboxError } from "./errors";
import type { ReceiverLogRecord } from "./lambda-process";
import type { Reporter } from "./reporter";
import { SANDBOX_EVENT_BUS, type Sandbox, type SandboxProgress, startSandbox } from "./start";
import { curlCommands, describeOutcomes, describeReceiverOutcome } from "./story";
import { createGuideAccount, settleDeliveries } from "./walkthrough";

const TOTAL = 6;

/** Name of the test hook's environment variable (see the file comment). */
export const SECRETS_FD_ENV = "LEMON_SANDBOX_SECRETS_FD";

function progressPrinter(reporter: Reporter): (progress: SandboxProgress) => void {
  return (progress) => {
    if (progress.step === "emulator")
      reporter.step(1, TOTAL, `lemon.markets emulator on ${progress.baseUrl}`);
    else if (progress.step === "building-bundle")
      reporter.detail("building the receiver bundle (npm run build:lambda)…");
    else if (progress.step === "receiver") {
      const bundle = path.relative(process.cwd(), progress.bundlePath) || progress.bundlePath;
      const forwarder =
        path.relative(process.cwd(), progress.forwarderBundlePath) || progress.forwarderBundlePath;
      reporter.step(2, TOTAL, `receiver Lambda (${bundle}) behind a local API Gateway at ${progress.url}`);
      reporter.detail(
        `it stores each verified event (one conditional PutItem) and answers 200; the table's stream hands each new event to the forwarder Lambda (${forwarder}), which puts it on EventBridge`,
      );
      reporter.detail(
        `its AWS, chosen by AWS_ENDPOINT_URL_* in the Lambda's environment: Secrets Manager ${progress.secretsManager}, ` +
          `DynamoDB (dynalite behind the local stream stand-in) ${progress.dynamo}, EventBridge ${progress.eventBridge}`,
      );
    } else {
      reporter.step(
        3,
        TOTAL,
        `registered webhook ${progress.webhookId} for ${progress.events.join(", ")} (WebhookRegistration provider: check → create)`,
      );
      reporter.detail(
        `signature secret stored in the local Secrets Manager as ${progress.secretArn} (value not shown)`,
      );
    }
  };
}

function revealSecretsForTests(sandbox: Sandbox): void {
  const raw = process.env[SECRETS_FD_ENV];
  if (raw === undefined || raw === "") return;
  const fd = Number(raw);
  if (!Number.isInteger(fd) || fd < 3) {
    throw new SandboxError(
      "writing the test hook",
      `${SECRETS_FD_ENV} is "${raw}"`,
      "Set it to an open file descriptor >= 3, or unset it",
    );
  }
  const signatureSecret = sandbox.registration()?.outputs.signatureSecret;
  fs.writeSync(fd, `${JSON.stringify({ apiKey: sandbox.apiKey, signatureSecret })}\n`);
}

/** `1 event`, `2 events`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Resolves on the first SIGINT/SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/**
 * Runs the walkthrough for parsed `options`, printing the story to `reporter` and failures to `errors`;
 * resolves with the exit code (0 done, 1 a step failed, 130 interrupted before the end).
 */
export async function runSandbox(
  options: SandboxCliOptions,
  reporter: Reporter,
  errors: Reporter,
): Promise<number> {
  const started = Date.now();
  reporter.line(
    "lemon-webhooks sandbox: lemon.markets' webhook setup guide on localhost (no AWS, no API key, no internet)",
  );
  let live = false;
  let sandbox: Sandbox | undefined;
  const printLive = (record: ReceiverLogRecord) => {
    const running = sandbox;
    if (!live || running === undefined) return;
    // Stored means answered; the stream forwards a moment later: tell the line once it has.
    void running
      .streamIdle()
      .then(() => reporter.line(describeReceiverOutcome(record, running.forwarded(), SANDBOX_EVENT_BUS)));
  };
  // Ctrl-C during the run: clean up (unregister, stop servers) before exiting, like the normal path.
  const interrupted = untilSignal();
  try {
    sandbox = await startSandbox({
      events: options.events,
      ...(options.signatureScheme === undefined ? {} : { signatureScheme: options.signatureScheme }),
      onProgress: progressPrinter(reporter),
      onReceiverLog: printLive,
    });
    revealSecretsForTests(sandbox);
    if (options.signatureScheme !== undefined) {
      reporter.detail(
        `deliveries signed and verified with the signature scheme ${formatSignatureScheme(options.signatureScheme)}`,
      );
    }

    const account = await createGuideAccount(sandbox);
    reporter.step(
      4,
      TOTAL,
      `POST /v1/accounts for Erika Mustermann (the guide's request): HTTP ${account.status}, account ${account.id}`,
    );
    for (const type of options.events.filter((type) => type !== "account.created")) {
      const event = sandbox.emulator.emit(type, { account: account.id });
      reporter.detail(`emitted ${type} ${event.id} too (subscribed with --events)`);
    }
    if (!options.events.includes("account.created")) {
      reporter.detail("account.created is not subscribed (--events), so lemon.markets does not deliver it");
    }

    const report = await Promise.race([
      settleDeliveries(sandbox, options.events),
      interrupted.then(() => undefined),
    ]);
    if (report === undefined)
      return await shutDown(sandbox, reporter, 130, "Interrupted: the webhook is unregistered.");
    const lines = describeOutcomes(report.outcomes, report.forwarded, SANDBOX_EVENT_BUS);
    if (report.problems.length > 0) {
      for (const line of lines) reporter.detail(line);
      throw new SandboxError(
        "checking the deliveries",
        report.problems.join("; "),
        "The receiver's answers above show where it went wrong",
      );
    }
    reporter.step(
      5,
      TOTAL,
      `${count(report.forwarded.length, "event")} delivered, verified, stored and forwarded from the stream; ` +
        `${count(report.duplicates, "redelivery", "redeliveries")} deduplicated`,
    );
    for (const line of lines) reporter.detail(line);

    if (options.keepRunning) {
      reporter.line("");
      reporter.line("Running. Every delivery is sent twice (duplicateRate 1) to show dedupe. Try:");
      const first = options.events[0] ?? "account.created";
      for (const line of curlCommands(sandbox.emulator.baseUrl, sandbox.receiverUrl, first, account.id))
        reporter.detail(line);
      reporter.line("Press Ctrl-C to unregister the webhook and stop.");
      live = true;
      await interrupted;
      live = false;
      reporter.line("");
    }
    const webhookId = sandbox.registration()?.webhookId;
    await sandbox.unregister();
    reporter.step(6, TOTAL, `unregistered webhook ${webhookId} (WebhookRegistration provider: delete)`);
    // Counted from the receiver's log, so events sent during --keep-running are included.
    const outcomes = sandbox.lambda.logs.map((log) => log.outcome);
    const stored = outcomes.filter((outcome) => outcome === "stored").length;
    const duplicates = outcomes.filter((outcome) => outcome === "duplicate").length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return await shutDown(
      sandbox,
      reporter,
      0,
      `Done in ${seconds} s: ${count(stored, "event")} stored, ${count(sandbox.forwarded().length, "event")} forwarded, ${count(duplicates, "duplicate")} deduplicated.`,
    );
  } catch (error) {
    const message =
      error instanceof SandboxError
        ? `${error.step} failed: ${error.problem}\n  How to fix: ${error.fix}`
        : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    errors.fail(message);
    if (sandbox !== undefined) await shutDown(sandbox, errors, 1, "");
    return 1;
  }
}

async function shutDown(
  sandbox: Sandbox,
  reporter: Reporter,
  code: number,
  summary: string,
): Promise<number> {
  const { errors } = await sandbox.stop();
  for (const error of errors)
    reporter.fail(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
  if (summary !== "") reporter.line(`${summary} Every server is stopped.`);
  return errors.length > 0 && code === 0 ? 1 : code;
}
