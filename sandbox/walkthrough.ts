/**
 * Steps 4 and 5 of the guide on the running sandbox: the guide's `POST /v1/accounts`, then waiting for the
 * deliveries to settle and pairing what the emulator saw (each attempt and the answer it got) with what the
 * receiver Lambda logged about it (forwarded, duplicate, …) and what reached EventBridge.
 */
import type { DeliveryAttempt, LemonEvent } from "../emulator";
import { SandboxError } from "./errors";
import { ERIKA_MUSTERMANN_ACCOUNT, guideAccountHeaders } from "./guide";
import type { ReceiverLogRecord } from "./lambda-process";
import type { ForwardedEvent, Sandbox } from "./start";

/** The account the guide's request created. */
export interface CreatedAccount {
  /** `cusa_…` */
  readonly id: string;
  readonly status: number;
}

/** One delivery attempt and the receiver's log line for it (absent when the request never reached it). */
export interface DeliveryOutcome {
  readonly attempt: DeliveryAttempt;
  readonly eventType: string;
  readonly receiver?: ReceiverLogRecord;
}

/** Everything step 5 tells, and whether it is what at-least-once delivery with dedupe must produce. */
export interface DeliveryReport {
  /** Events emitted that the webhook subscribes to: each must be forwarded exactly once. */
  readonly expected: readonly LemonEvent[];
  readonly outcomes: readonly DeliveryOutcome[];
  readonly forwarded: readonly ForwardedEvent[];
  /** Deliveries the receiver answered as duplicates (200, not forwarded again). */
  readonly duplicates: number;
  /** Why the run does not show what it should; empty when it does. */
  readonly problems: readonly string[];
}

const ACCOUNT_ID = /^cusa_[0-9a-f]{32}$/;

/**
 * The guide's `POST /v1/accounts` with Erika Mustermann's body and the guide's headers.
 * @throws {SandboxError} with the emulator's status and message when the account is not created.
 */
export async function createGuideAccount(
  sandbox: Pick<Sandbox, "emulator" | "apiKey">,
): Promise<CreatedAccount> {
  const step = "POST /v1/accounts";
  let response: Response;
  try {
    response = await fetch(`${sandbox.emulator.baseUrl}/accounts`, {
      method: "POST",
      headers: guideAccountHeaders(sandbox.apiKey),
      body: JSON.stringify(ERIKA_MUSTERMANN_ACCOUNT),
    });
  } catch (error) {
    throw new SandboxError(step, `the emulator did not answer (${String(error)})`, "Run `npm start` again", {
      cause: error,
    });
  }
  const text = await response.text();
  const body = safeJson(text);
  const id = typeof body?.id === "string" ? body.id : undefined;
  if (response.status !== 201 || id === undefined || !ACCOUNT_ID.test(id)) {
    const message = typeof body?.message === "string" ? body.message : text.slice(0, 200);
    throw new SandboxError(
      step,
      `expected 201 with a cusa_… account id, got HTTP ${response.status}: ${message}`,
      "The emulator's account validation and sandbox/guide.ts disagree; compare them with spec/lemon-markets/webhooks-setup-guide.txt",
    );
  }
  return { id, status: response.status };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pairs every delivery attempt with the receiver's log line for it: a line naming an event id goes to the
 * earliest unpaired attempt of that event that got the same HTTP status. A request rejected before its body
 * was read (bad signature: the receiver never logs what an unauthenticated body claims) has no event id;
 * those lines then go, in order, to the earliest unpaired attempt with the same status. Attempts without a
 * status (timeout, connection error) may never have been logged, so they take no line.
 */
export function pairOutcomes(
  attempts: readonly DeliveryAttempt[],
  logs: readonly ReceiverLogRecord[],
  typeOf: (eventId: string) => string,
): DeliveryOutcome[] {
  const paired: (ReceiverLogRecord | undefined)[] = attempts.map(() => undefined);
  const take = (log: ReceiverLogRecord, sameEvent: boolean) => {
    const index = attempts.findIndex(
      (attempt, i) =>
        paired[i] === undefined &&
        attempt.status === log.status &&
        (!sameEvent || attempt.eventId === log.eventId),
    );
    if (index >= 0) paired[index] = log;
  };
  for (const log of logs) if (log.eventId !== undefined) take(log, true);
  for (const log of logs) if (log.eventId === undefined) take(log, false);
  return attempts.map((attempt, index) => {
    const receiver = paired[index];
    return { attempt, eventType: typeOf(attempt.eventId), ...(receiver === undefined ? {} : { receiver }) };
  });
}

/**
 * Checks a settled run: every expected event forwarded exactly once, nothing else forwarded, every
 * delivery finally answered 200. Returns the problems found (empty when the run is right).
 */
export function findProblems(
  expected: readonly LemonEvent[],
  outcomes: readonly DeliveryOutcome[],
  forwarded: readonly ForwardedEvent[],
): string[] {
  const problems: string[] = [];
  for (const event of expected) {
    const count = forwarded.filter((entry) => entry.id === event.id).length;
    if (count !== 1)
      problems.push(`${event.type} ${event.id} reached EventBridge ${count} times instead of once`);
    if (!outcomes.some((outcome) => outcome.attempt.eventId === event.id && outcome.attempt.status === 200)) {
      problems.push(`${event.type} ${event.id} was never acknowledged with 200`);
    }
  }
  const expectedIds = new Set(expected.map((event) => event.id));
  for (const entry of forwarded) {
    if (!expectedIds.has(entry.id)) problems.push(`unexpected event on the bus: ${entry.type} ${entry.id}`);
  }
  return problems;
}

/**
 * Waits until the emulator has finished every delivery and the receiver's log line of every answered
 * attempt has arrived, then reports. Log lines travel over a pipe, the answers over TCP: either can be first.
 */
export async function settleDeliveries(
  sandbox: Pick<Sandbox, "emulator" | "lambda" | "forwarded" | "streamIdle">,
  subscribed: readonly string[],
  timeoutMs = 20_000,
): Promise<DeliveryReport> {
  const { emulator, lambda } = sandbox;
  const deadline = Date.now() + timeoutMs;
  try {
    await emulator.waitForDeliveries(timeoutMs);
  } catch (error) {
    throw new SandboxError(
      "waiting for the deliveries",
      `they did not finish within ${timeoutMs} ms (${error instanceof Error ? error.message : String(error)})`,
      "Look at the receiver's answers above; a receiver that keeps failing is retried until the attempts run out",
      { cause: error },
    );
  }
  const answered = () => emulator.deliveries.filter((attempt) => attempt.status !== undefined).length;
  const logged = () => lambda.logs.length;
  while (logged() < answered() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Answered 200 means stored; the stream forwards asynchronously (milliseconds locally).
  await Promise.race([
    sandbox.streamIdle(),
    new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
  ]);
  const events = emulator.events();
  const types = new Map(events.map((event) => [event.id, event.type]));
  const expected = events.filter((event) => subscribed.includes(event.type));
  const outcomes = pairOutcomes(emulator.deliveries, lambda.logs, (id) => types.get(id) ?? "unknown");
  const forwarded = sandbox.forwarded();
  const problems = findProblems(expected, outcomes, forwarded);
  if (logged() < answered())
    problems.push(`${answered() - logged()} answered deliveries left no receiver log line`);
  return {
    expected,
    outcomes,
    forwarded,
    duplicates: outcomes.filter((outcome) => outcome.receiver?.outcome === "duplicate").length,
    problems,
  };
}
