/**
 * Command-line parsing of `lemon-webhooks replay`. Pure apart from the clock it is given: argv in, options or
 * a {@link UsageError} naming the flag and the fix out. What needs the stack (retention, subscriptions) is
 * checked by replay.ts.
 */
import { EVENT_TYPE_PATTERN } from "../components/lemon-api/event-types";
import { readFlags } from "./flags";
import { timeOf } from "./reforward-args";
import { UsageError } from "./usage-error";

/** Parsed options of replay. */
export interface ReplayOptions {
  readonly stack: string;
  /** Start of the window of event times (`time` = created_at), epoch ms, included. */
  readonly fromMs: number;
  /** End of the window, epoch ms, excluded (EventBridge's EventEndTime). Absent: now. */
  readonly toMs?: number;
  /** Only subscriptions whose every event type is in this list (see the help). */
  readonly types?: readonly string[];
  /** The one subscription (by its `subscribe` name) to replay to. */
  readonly rule?: string;
}

/** Exit codes of replay. */
export const REPLAY_EXIT = Object.freeze({
  /** The replay COMPLETED. */
  ok: 0,
  /** The replay ended FAILED or CANCELLED, or EventBridge refused to start it. */
  failed: 1,
  /** Bad flags, a window outside the archive's retention, an unknown subscription. */
  usage: 2,
  /** Stack outputs, credentials, the archive or the table unavailable. */
  setup: 4,
});

export const REPLAY_USAGE = `Usage: lemon-webhooks replay --stack <name> --from <time> [--to <time>] [--types a,b] [--rule <subscription>]

Replays the receiver's EventBridge archive to its bus: every event whose time (its created_at) is in
[--from, --to) is put on the bus again, marked with the replay's name (replay-name), and reaches the rules
again: all rules of the bus, or only the chosen subscriptions' rules. Shows progress until EventBridge
reports the replay COMPLETED, FAILED or CANCELLED, and how many events were in the window.

  --stack <name>          read archiveName, eventBusArn, dedupeTableName and subscriptions from
                          \`pulumi stack output --json\`
  --from <time>           start of the window of event times: ISO 8601, e.g. 2026-12-01T18:00:00Z; not
                          older than the archive's retention (archiveRetentionDays, 30 by default)
  --to <time>             end of the window, excluded (default: now); not in the future
  --rule <subscription>   replay only to this subscription's rule (its receiver.subscribe name)
  --types <a,b>           replay only to the subscriptions whose event types are all in this list.
                          EventBridge replays every archived event of the window and cannot filter by
                          type, only by rule: so --types picks rules, and a subscription that also
                          receives another type is left out (named in the output). With --rule, that
                          subscription's types must all be in the list.
  -h, --help              show this help

Consumers see these events again: they must be idempotent on detail.id (docs/operations.md).

The count printed is of the events in the window that the table still holds as forwarded (it keeps them for
the dedupe TTL, 7 days by default): EventBridge reports no count. Ctrl-C stops watching, not the replay:
it continues server-side; stop it with \`aws events cancel-replay --replay-name <name>\` (the name is printed).
Needs events:DescribeArchive, events:StartReplay and events:DescribeReplay, and dynamodb:Scan on the table.

Exit codes: 0 completed, 1 failed or cancelled (or refused by EventBridge), 2 bad flags / window outside the
retention / unknown subscription, 4 stack outputs / credentials / archive / table unavailable.`;

/** The `--types` list, checked. */
function typesOf(value: string): string[] {
  const types = value.split(",").map((type) => type.trim());
  const bad = types.find((type) => !EVENT_TYPE_PATTERN.test(type));
  if (bad !== undefined) {
    throw new UsageError(
      `--types ${JSON.stringify(value)} holds ${JSON.stringify(bad)}, not an event type; use a comma-separated list, e.g. --types order.executed,order.rejected`,
    );
  }
  const repeated = types.find((type, index) => types.indexOf(type) !== index);
  if (repeated !== undefined) throw new UsageError(`--types names ${repeated} twice; name each type once`);
  return types;
}

/**
 * Parses replay's arguments (without the command name); `nowMs` is the clock times must not be after.
 *
 * @throws UsageError naming the flag and how to fix it.
 * @example
 * parseReplayArgs(["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--rule", "orders"], Date.now());
 */
export function parseReplayArgs(
  argv: readonly string[],
  nowMs: number,
): { readonly help: true } | { readonly help: false; readonly options: ReplayOptions } {
  const read = readFlags(argv, {
    values: new Set(["--stack", "--from", "--to", "--types", "--rule"]),
    switches: new Set(),
    helpHint: "replay --help",
  });
  if (read.help) return { help: true };
  const { values } = read;
  const stack = values.get("--stack");
  if (stack === undefined) throw new UsageError("replay needs --stack <name>");
  const from = values.get("--from");
  if (from === undefined) {
    throw new UsageError("replay needs --from <time>: the time (created_at) of the first event to replay");
  }
  const fromMs = timeOf("--from", from);
  const now = new Date(nowMs).toISOString();
  if (fromMs >= nowMs) throw new UsageError(`--from (${from}) is not in the past (now is ${now})`);
  const to = values.get("--to");
  const toMs = to === undefined ? undefined : timeOf("--to", to);
  if (toMs !== undefined && toMs > nowMs) {
    throw new UsageError(`--to (${to}) is in the future (now is ${now}); leave it out to replay up to now`);
  }
  if (toMs !== undefined && toMs <= fromMs)
    throw new UsageError(`--to (${to}) is not after --from (${from})`);
  const typesValue = values.get("--types");
  const rule = values.get("--rule");
  return {
    help: false,
    options: {
      stack,
      fromMs,
      ...(toMs === undefined ? {} : { toMs }),
      ...(typesValue === undefined ? {} : { types: typesOf(typesValue) }),
      ...(rule === undefined ? {} : { rule }),
    },
  };
}
