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
  /**
   * End of the window, epoch ms, excluded (EventBridge's EventEndTime); whole seconds, at most now −
   * {@link ARCHIVE_DELAY_MS}, which is also the default.
   */
  readonly toMs: number;
  /** Only subscriptions whose every event type is in this list (see the help). */
  readonly types?: readonly string[];
  /** The one subscription (by its `subscribe` name) to replay to. */
  readonly rule?: string;
}

/**
 * How far behind now the window must end. AWS's archive guide: "There may be a delay between an event being
 * received on an event bus and the event arriving in the archive. We recommend you delay replaying archived
 * events for 10 minutes". A window ending later may miss its last events while the table counts them, so
 * `--to` defaults to now − 10 minutes and a later `--to` is refused.
 */
export const ARCHIVE_DELAY_MS = 10 * 60_000;

const SECOND_MS = 1_000;
/** A whole-second time as ISO 8601 without the milliseconds, e.g. 2026-12-01T18:00:00Z. */
const isoSecond = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** Exit codes of replay. */
export const REPLAY_EXIT = Object.freeze({
  /** The replay COMPLETED. */
  ok: 0,
  /** The replay ended FAILED or CANCELLED, or EventBridge refused to start it. */
  failed: 1,
  /** Bad flags (a --to within 10 minutes of now included), a window outside the archive's retention, an unknown subscription. */
  usage: 2,
  /** Stack outputs, credentials or the archive unavailable, or lost track of the replay (the table only affects the count). */
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
  --to <time>             end of the window, excluded (default: now - 10 minutes); not later than
                          now - 10 minutes: EventBridge may take that long to archive an event (AWS
                          recommends waiting 10 minutes before replaying), so a later --to is refused
                          rather than replaying a window whose last events may not be archived yet.
                          --from and --to are whole seconds: an event's time in EventBridge is its
                          created_at to the second (18:00:00.700Z is 18:00:00Z)
  --rule <subscription>   replay only to this subscription's rule (its receiver.subscribe name)
  --types <a,b>           replay only to the subscriptions whose event types are all in this list.
                          EventBridge replays every archived event of the window and cannot filter by
                          type, only by rule: so --types picks rules, and a subscription that also
                          receives another type is left out (named in the output). With --rule, that
                          subscription's types must all be in the list.
  -h, --help              show this help

Consumers see these events again: they must be idempotent on detail.id (docs/operations.md).

The count printed is of the events in the window that the table still holds as forwarded (it keeps them for
the dedupe TTL, 7 days by default), by their created_at to the second as EventBridge selects: EventBridge
reports no count. It is read after the replay started and is informational: if the scan fails, "count
unavailable (<reason>)" is printed and the exit code is the replay's. Ctrl-C stops watching, not the replay:
it continues server-side; stop it with \`aws events cancel-replay --replay-name <name>\` (the name is printed).
Needs events:DescribeArchive, events:StartReplay and events:DescribeReplay, and dynamodb:Scan on the table.

Exit codes: 0 completed, 1 failed or cancelled (or refused by EventBridge), 2 bad flags / window outside the
retention / --to within 10 minutes of now / unknown subscription, 4 stack outputs / credentials / archive
unavailable or EventBridge lost while watching (a failed count is reported, not an exit code).`;

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
 * `value` of `flag` as epoch ms, refused unless a whole second: EventBridge keeps an event's time to the
 * second, so a window bound inside a second would select differently in the archive and in the table.
 */
function wholeSecondOf(flag: string, value: string): number {
  const ms = timeOf(flag, value);
  if (ms % SECOND_MS === 0) return ms;
  const down = isoSecond(Math.floor(ms / SECOND_MS) * SECOND_MS);
  const up = isoSecond(Math.ceil(ms / SECOND_MS) * SECOND_MS);
  throw new UsageError(
    `${flag} (${value}) is not a whole second: EventBridge keeps an event's time to the second (created_at 18:00:00.700Z is time 18:00:00Z), so the window is in whole seconds; use ${flag} ${flag === "--from" ? down : up} to include that second, ${flag} ${flag === "--from" ? up : down} to leave it out`,
  );
}

/**
 * Parses replay's arguments (without the command name); `nowMs` is the clock: the window ends at most
 * {@link ARCHIVE_DELAY_MS} before it (the default end).
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
  const fromMs = wholeSecondOf("--from", from);
  const latestMs = Math.floor((nowMs - ARCHIVE_DELAY_MS) / SECOND_MS) * SECOND_MS;
  const latest = isoSecond(latestMs);
  const to = values.get("--to");
  const toMs = to === undefined ? latestMs : wholeSecondOf("--to", to);
  if (to !== undefined && toMs > latestMs) {
    throw new UsageError(
      `--to (${to}) is later than ${latest} (now - 10 minutes): EventBridge may not have archived the last events of the window yet (AWS recommends waiting 10 minutes), so the replay would miss them; use --to ${latest} or earlier, or leave --to out`,
    );
  }
  if (to === undefined && fromMs >= toMs) {
    throw new UsageError(
      `--from (${from}) is not before ${latest} (now - 10 minutes, the default --to): EventBridge may not have archived these events yet (AWS recommends waiting 10 minutes); wait, or use an earlier --from`,
    );
  }
  if (toMs <= fromMs) throw new UsageError(`--to (${to}) is not after --from (${from})`);
  const typesValue = values.get("--types");
  const rule = values.get("--rule");
  return {
    help: false,
    options: {
      stack,
      fromMs,
      toMs,
      ...(typesValue === undefined ? {} : { types: typesOf(typesValue) }),
      ...(rule === undefined ? {} : { rule }),
    },
  };
}
