/**
 * `lemon-webhooks replay`: an EventBridge replay of the receiver's archive to its bus, watched until it ends.
 *
 * Decisions:
 * - `--types`: EventBridge replays every archived event of the window; its only filter is `FilterArns`
 *   (rules). So `--types` picks rules: the subscriptions whose every event type is in the list (a
 *   subscription that also receives another type would see that type again too, so it is left out and named).
 *   No temporary rule is created: it would need a copy of the subscription's target, retry policy, DLQ and
 *   permissions, and a CLI must not leave resources behind when it is interrupted.
 * - The count: EventBridge reports no count for a replay (DescribeReplay has only times and a state), and
 *   the bus's metrics are per minute, shared with live traffic and the archive's own view. The events table
 *   holds every event the receiver or the reconciler stored, with its created_at (the event's `time`, by
 *   which a replay selects) and `forwardedAtMs` (set once EventBridge accepted it, so it is in the archive):
 *   the forwarded events of the window, of the chosen rules' types, are what the replay puts on the bus.
 *   Stored items expire with the dedupe TTL, so for an older window the count is a lower bound; it is
 *   reported as "N events in the window (from the events table)", next to EventBridge's final state.
 *   EventBridge keeps an event's time to the second (the forwarder sends `Time` = created_at, and the
 *   event's `time` has no fraction), so the count compares created_at cut to the second with the window,
 *   whose bounds are whole seconds (replay-args.ts). The count is informational: it is a full-table Scan
 *   (projected to the type and created_at), read once StartReplay succeeded, alongside the watching; if it
 *   fails, "count unavailable (<reason>)" is printed and the exit code is the replay's alone.
 * - The window ends at most 10 minutes before now (ARCHIVE_DELAY_MS in replay-args.ts: AWS's archive delay).
 * - Ctrl-C stops watching, not the replay: it runs server-side, and cancelling on SIGINT would turn an
 *   impatient Ctrl-C into a half-done replay. The replay's name and the cancel command are printed first.
 */

import { createHash } from "node:crypto";
import {
  parseSubscriptionRules,
  SUBSCRIPTIONS_OUTPUT,
  type SubscriptionRulesOutput,
} from "../components/receiver/subscription-output";
import { type Image, STORED_EVENT_ATTRIBUTES, STORED_EVENT_KIND } from "../contract/events-table";
import type { AwsJsonClient } from "../lambda/aws/json-client";
import { cliAwsClient, regionOfArn } from "./aws";
import {
  type ArchiveInfo,
  describeArchive,
  describeReplay,
  EventBridgeCallError,
  type ReplayInfo,
  startReplay,
} from "./eventbridge-replay";
import { REPLAY_EXIT, type ReplayOptions } from "./replay-args";
import type { CliIo } from "./send-test-event";
import { SetupError, stackOutputs } from "./stack";
import { UsageError } from "./usage-error";

/** The warning printed before the replay starts (docs/operations.md words it the same way). */
export const REPLAY_WARNING =
  "Warning: consumers see these events again (marked with replay-name); they must be idempotent on detail.id.";

/** How long to wait between two DescribeReplay calls. */
export const REPLAY_POLL_MS = 5_000;

/** Width of the progress bar, in characters between the brackets. */
const BAR_WIDTH = 30;
const DAY_MS = 86_400_000;
const TERMINAL_STATES = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

/** What replay needs from the terminal and the clock (injected in tests). */
export interface ReplayTerminal {
  /** stdout is a terminal: draw a progress bar (redrawn with `\r`), else plain lines. */
  readonly isTTY: boolean;
  /** Writes `text` to stdout without a newline. */
  readonly write: (text: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  /** Wall clock, epoch ms: the replay window and the retention are wall-clock times. */
  readonly clockMs: () => number;
}

/** The real terminal and clock. */
export const processTerminal: ReplayTerminal = {
  isTTY: process.stdout.isTTY === true,
  write: (text) => process.stdout.write(text),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  clockMs: () => Date.now(),
};

interface Target {
  readonly archiveName: string;
  readonly table: string;
  readonly region: string;
  readonly subscriptions: SubscriptionRulesOutput | undefined;
}

async function targetOf(stack: string, io: CliIo): Promise<Target> {
  const outputs = await stackOutputs(stack, io.runPulumi);
  const { archiveName, eventBusArn, dedupeTableName } = outputs;
  if (
    typeof archiveName !== "string" ||
    typeof eventBusArn !== "string" ||
    typeof dedupeTableName !== "string"
  ) {
    throw new SetupError(
      `stack ${stack} lacks the archiveName, eventBusArn and dedupeTableName outputs; export them from the stack program (see index.ts)`,
    );
  }
  return {
    archiveName,
    table: dedupeTableName,
    region: regionOfArn(eventBusArn, "eventBusArn"),
    subscriptions: parseSubscriptionRules(outputs[SUBSCRIPTIONS_OUTPUT]),
  };
}

/** Which rules see the replay, and the event types that can reach them (undefined: all). */
interface Selection {
  readonly ruleArns: readonly string[] | undefined;
  readonly names: readonly string[];
  readonly types: ReadonlySet<string> | undefined;
  readonly leftOut: readonly string[];
}

/** @throws UsageError when --rule/--types cannot be honoured by this stack's subscriptions. */
function select(
  options: ReplayOptions,
  stack: string,
  subscriptions: SubscriptionRulesOutput | undefined,
): Selection {
  if (options.rule === undefined && options.types === undefined) {
    return { ruleArns: undefined, names: [], types: undefined, leftOut: [] };
  }
  const flag = options.rule === undefined ? "--types" : "--rule";
  if (subscriptions === undefined) {
    throw new UsageError(
      `${flag} needs the stack's ${SUBSCRIPTIONS_OUTPUT} output (each subscription's rule); stack ${stack} has none: add \`export const ${SUBSCRIPTIONS_OUTPUT} = receiver.subscriptionRules();\` after the last subscribe and run pulumi up`,
    );
  }
  const known = Object.keys(subscriptions).sort();
  const wanted = options.types === undefined ? undefined : new Set(options.types);
  const coveredBy = (types: readonly string[]) => wanted === undefined || types.every((t) => wanted.has(t));
  let chosen: string[];
  const leftOut: string[] = [];
  if (options.rule !== undefined) {
    const subscription = subscriptions[options.rule];
    if (subscription === undefined) {
      throw new UsageError(
        `--rule ${options.rule}: stack ${stack} has no such subscription; its subscriptions are ${known.length === 0 ? "none" : known.join(", ")}`,
      );
    }
    if (!coveredBy(subscription.eventTypes)) {
      throw new UsageError(
        `--types ${options.types?.join(",")} leaves out types subscription ${options.rule} receives (${subscription.eventTypes.join(", ")}); EventBridge replays every type a rule matches, so list all of them in --types or drop it`,
      );
    }
    chosen = [options.rule];
  } else {
    chosen = known.filter((name) => coveredBy(subscriptions[name]!.eventTypes));
    for (const name of known.filter((n) => !chosen.includes(n))) {
      const extra = subscriptions[name]!.eventTypes.filter((t) => !wanted?.has(t));
      leftOut.push(`${name} (also receives ${extra.join(", ")})`);
    }
    if (chosen.length === 0) {
      throw new UsageError(
        `--types ${options.types?.join(",")}: no subscription of stack ${stack} receives only these types (${leftOut.join("; ") || "it has none"}), and EventBridge cannot replay by type; pick a subscription with --rule`,
      );
    }
  }
  const types = new Set(chosen.flatMap((name) => subscriptions[name]!.eventTypes));
  return { ruleArns: chosen.map((name) => subscriptions[name]!.ruleArn), names: chosen, types, leftOut };
}

const SECOND_MS = 1_000;

/**
 * The events the replay puts on the bus, as the table knows them: forwarded (so archived), of `types` (all
 * when undefined), with their EventBridge time (created_at cut to the whole second, as EventBridge keeps it)
 * in [fromMs, toMs), StartReplay's EventStartTime ≤ time < EventEndTime. Only the type and created_at are
 * read (ProjectionExpression); the time is compared on our side: created_at is lemon.markets' string.
 *
 * @throws Error (DependencyUnavailableError) when a Scan page fails.
 */
export async function eventsInWindow(
  dynamodb: AwsJsonClient,
  table: string,
  fromMs: number,
  toMs: number,
  types: ReadonlySet<string> | undefined,
): Promise<number> {
  const a = STORED_EVENT_ATTRIBUTES;
  let count = 0;
  let start: Image | undefined;
  do {
    const page = await dynamodb.call<{ Items?: Image[]; LastEvaluatedKey?: Image }>("Scan", {
      TableName: table,
      FilterExpression: "#k = :event AND attribute_exists(#f)",
      ProjectionExpression: "#t, #c",
      ExpressionAttributeNames: { "#k": a.kind, "#f": a.forwardedAtMs, "#t": a.type, "#c": a.createdAt },
      ExpressionAttributeValues: { ":event": { S: STORED_EVENT_KIND } },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    if (!page.ok) throw new Error(`Scan: ${page.errorType}`);
    for (const item of page.value.Items ?? []) {
      const type = (item[a.type] as { S?: unknown } | undefined)?.S;
      const createdAt = (item[a.createdAt] as { S?: unknown } | undefined)?.S;
      if (typeof type !== "string" || typeof createdAt !== "string") continue;
      if (types !== undefined && !types.has(type)) continue;
      const timeMs = Math.floor(Date.parse(createdAt) / SECOND_MS) * SECOND_MS;
      if (timeMs >= fromMs && timeMs < toMs) count += 1;
    }
    start = page.value.LastEvaluatedKey;
  } while (start !== undefined);
  return count;
}

const iso = (ms: number) => new Date(ms).toISOString();

const REPLAY_NAME_PREFIX = "lemon-webhooks-replay-";
/** EventBridge replay names: 1 to 64 of `.-_A-Za-z0-9`. */
const REPLAY_NAME_MAX = 64;
const REPLAY_NAME_CHAR = /[^.\-_A-Za-z0-9]/g;

/**
 * `lemon-webhooks-replay-<stack>-20261201T180000Z`: unique per stack and second (two stacks of one account
 * replaying in the same second do not collide), deterministic for a stack and a clock. EventBridge names are
 * ≤ 64 of `.-_A-Za-z0-9`: other characters of the stack name (e.g. the `/` of `org/project/dev`) become `-`;
 * when that changed the name or it is too long, the stack part ends with 8 hex digits of the SHA-256 of the
 * stack name as given (cut to fit before them), so stacks that differ only there still get distinct names.
 */
export function replayNameAt(stack: string, nowMs: number): string {
  const stamp = iso(nowMs)
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const room = REPLAY_NAME_MAX - REPLAY_NAME_PREFIX.length - "-".length - stamp.length;
  const clean = stack.replace(REPLAY_NAME_CHAR, "-");
  let part = clean;
  if (clean !== stack || clean.length > room) {
    const hash = createHash("sha256").update(stack, "utf8").digest("hex").slice(0, 8);
    part = `${clean.slice(0, room - hash.length - 1)}-${hash}`;
  }
  return `${REPLAY_NAME_PREFIX}${part}-${stamp}`;
}

/** The share of the window replayed, 0–1, from EventLastReplayedTime. */
function progressOf(info: ReplayInfo, fromMs: number, toMs: number): number {
  if (info.state === "COMPLETED") return 1;
  if (info.eventLastReplayedMs === undefined) return 0;
  return Math.min(1, Math.max(0, (info.eventLastReplayedMs - fromMs) / (toMs - fromMs)));
}

function progressBar(share: number): string {
  const filled = Math.round(share * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

function checkRetention(archive: ArchiveInfo, archiveName: string, fromMs: number, nowMs: number): void {
  if (archive.retentionDays <= 0) return;
  const oldestMs = nowMs - archive.retentionDays * DAY_MS;
  if (fromMs < oldestMs) {
    throw new UsageError(
      `--from (${iso(fromMs)}) is outside the archive's retention: ${archiveName} keeps events ${archive.retentionDays} days, so the oldest replayable time is ${iso(oldestMs)}; use a later --from`,
    );
  }
}

/**
 * "N events in the window (from the events table)", or "count unavailable (<reason>)" when the Scan failed
 * (throttled, timed out, no dynamodb:Scan): the count is informational, so its failure is reported, not thrown.
 */
async function countOf(
  io: CliIo,
  target: Target,
  fromMs: number,
  toMs: number,
  types: ReadonlySet<string> | undefined,
): Promise<string> {
  try {
    const dynamodb = cliAwsClient(io.env, target.region, "dynamodb");
    const count = await eventsInWindow(dynamodb, target.table, fromMs, toMs, types);
    return `${count} event${count === 1 ? "" : "s"} in the window (from the events table)`;
  } catch (error) {
    const detail = error instanceof Error ? error.message : "unknown error";
    return `count unavailable (scanning ${target.table} failed: ${detail}; it needs dynamodb:Scan on the table)`;
  }
}

/**
 * Runs replay with parsed `options`; resolves with the exit code.
 *
 * @example
 * const options = { stack: "dev", fromMs: Date.parse("2026-12-01T18:00:00Z"), toMs: Date.parse("2026-12-01T19:00:00Z"), rule: "orders" };
 * const code = await replay(options, { ...io, ...processTerminal });
 */
export async function replay(options: ReplayOptions, io: CliIo & ReplayTerminal): Promise<number> {
  const nowMs = io.clockMs();
  const { toMs } = options;
  let target: Target;
  let selection: Selection;
  let eventBridge: AwsJsonClient;
  let archive: ArchiveInfo;
  try {
    target = await targetOf(options.stack, io);
    selection = select(options, options.stack, target.subscriptions);
    eventBridge = cliAwsClient(io.env, target.region, "eventBridge");
    try {
      archive = await describeArchive(eventBridge, target.archiveName);
    } catch (error) {
      if (!(error instanceof EventBridgeCallError)) throw error;
      throw new SetupError(
        `reading archive ${target.archiveName} failed (${error.message}); your credentials need events:DescribeArchive on it`,
      );
    }
    if (archive.state !== "ENABLED") {
      throw new SetupError(
        `archive ${target.archiveName} is ${archive.state}, not ENABLED; it cannot replay now`,
      );
    }
    checkRetention(archive, target.archiveName, options.fromMs, nowMs);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(error.message);
      return REPLAY_EXIT.usage;
    }
    io.stderr(
      error instanceof SetupError
        ? error.message
        : `replay setup failed: ${error instanceof Error ? error.name : "error"}`,
    );
    return REPLAY_EXIT.setup;
  }

  const name = replayNameAt(options.stack, nowMs);
  const window = `[${iso(options.fromMs)}, ${iso(toMs)})`;
  const to =
    selection.ruleArns === undefined
      ? `every rule of bus ${archive.eventSourceArn}`
      : `the rule${selection.names.length === 1 ? "" : "s"} of subscription${selection.names.length === 1 ? "" : "s"} ${selection.names.join(", ")}`;
  io.stdout(`Replaying archive ${target.archiveName}, events with time in ${window}, to ${to}.`);
  if (selection.leftOut.length > 0)
    io.stdout(`Left out (EventBridge cannot replay by type): ${selection.leftOut.join("; ")}.`);
  if (archive.creationTimeMs !== undefined && options.fromMs < archive.creationTimeMs) {
    io.stdout(
      `Note: the archive was created ${iso(archive.creationTimeMs)}; it holds nothing forwarded before then.`,
    );
  }
  io.stdout(REPLAY_WARNING);
  try {
    await startReplay(eventBridge, {
      name,
      archiveArn: archive.arn,
      fromMs: options.fromMs,
      toMs,
      busArn: archive.eventSourceArn,
      ...(selection.ruleArns === undefined ? {} : { ruleArns: selection.ruleArns }),
    });
  } catch (error) {
    if (!(error instanceof EventBridgeCallError)) throw error;
    io.stderr(`EventBridge refused the replay (${error.message}).`);
    return REPLAY_EXIT.failed;
  }
  io.stdout(
    `Started replay ${name}. Ctrl-C stops watching, not the replay; to stop it: aws events cancel-replay --replay-name ${name}`,
  );
  // Best effort, alongside the watching: never rejects, and decides no exit code.
  const counting = countOf(io, target, options.fromMs, toMs, selection.types);

  let info: ReplayInfo;
  let last = "";
  for (;;) {
    try {
      info = await describeReplay(eventBridge, name);
    } catch (error) {
      if (!(error instanceof EventBridgeCallError)) throw error;
      if (io.isTTY && last !== "") io.write("\n");
      io.stderr(
        `Lost track of replay ${name} (${error.message}); it continues server-side: aws events describe-replay --replay-name ${name}`,
      );
      await counting;
      return REPLAY_EXIT.setup;
    }
    const share = progressOf(info, options.fromMs, toMs);
    const upTo =
      info.eventLastReplayedMs === undefined ? "" : `, replayed up to ${iso(info.eventLastReplayedMs)}`;
    const line = io.isTTY
      ? `\r${progressBar(share)} ${info.state}${upTo}`
      : `replay ${name}: ${info.state}${upTo} (${Math.round(share * 100)}%)`;
    if (line !== last) {
      if (io.isTTY) io.write(line);
      else io.stdout(line);
      last = line;
    }
    if (TERMINAL_STATES.has(info.state)) break;
    await io.sleep(REPLAY_POLL_MS);
  }
  if (io.isTTY) io.write("\n");
  const counted = await counting;
  if (info.state === "COMPLETED") {
    io.stdout(`Replay ${name} COMPLETED: ${counted}.`);
    return REPLAY_EXIT.ok;
  }
  io.stderr(
    `Replay ${name} ${info.state}${info.stateReason === undefined ? "" : `: ${info.stateReason}`} (${counted}; part of them may have been replayed). Run the command again for the rest of the window.`,
  );
  return REPLAY_EXIT.failed;
}
