/**
 * Command-line parsing of `lemon-webhooks reforward`. Pure: argv in, options or a {@link UsageError} naming
 * the flag and the fix out.
 */
import { readFlags } from "./flags";
import { UsageError } from "./usage-error";

/** Parsed options of reforward. */
export interface ReforwardOptions {
  readonly stack: string;
  /** Window of `receivedAtMs` (when the event was stored), epoch ms, both ends included. */
  readonly fromMs: number;
  /** Absent: up to now. */
  readonly toMs?: number;
  /** List what would be re-forwarded, send nothing. */
  readonly dryRun: boolean;
}

/** Exit codes of reforward. */
export const REFORWARD_EXIT = Object.freeze({
  /** Every event found was re-forwarded (or, with --dry-run, listed). */
  ok: 0,
  /** Some events were not accepted by EventBridge (listed); run the command again. */
  someFailed: 1,
  usage: 2,
  /** Stack outputs, credentials or the table scan failed. */
  setup: 4,
});

export const REFORWARD_USAGE = `Usage: lemon-webhooks reforward --stack <name> --from <time> [--to <time>] [--dry-run]

Re-forwards to the EventBridge bus every event the receiver (or the reconciler) stored but the forwarder
never marked forwarded (no forwardedAtMs), stored between --from and --to: what is left when the forwarder
gave up on a stream record (its failure queue holds the pointer) or the stream's 24 h retention passed.
Same contract as the forwarder (source lemon.markets, detail-type = type, detail = the stored body, time =
created_at); each accepted event is then marked forwarded.

  --stack <name>   read dedupeTableName, eventBusName and the region from \`pulumi stack output --json\`
  --from <time>    start of the window of storing times: ISO 8601, e.g. 2026-12-01T18:00:00Z
  --to <time>      end of the window (default: now)
  --dry-run        list the events that would be re-forwarded; send nothing
  -h, --help       show this help

Consumers receive these events (again, if they had them by another way): they must be idempotent on
detail.id. Needs dynamodb:Scan and dynamodb:UpdateItem on the table and events:PutEvents on the bus.

Exit codes: 0 done, 1 some events not accepted (run again), 2 bad flags, 4 stack outputs / credentials /
table unavailable.`;

/** ISO 8601 with a zone (shared with replay). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function timeOf(flag: string, value: string): number {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a time; use ISO 8601 with a zone, e.g. 2026-12-01T18:00:00Z`,
    );
  }
  return ms;
}

/**
 * Parses reforward's arguments (without the command name).
 *
 * @throws UsageError naming the flag and how to fix it.
 * @example
 * parseReforwardArgs(["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--dry-run"]);
 */
export function parseReforwardArgs(
  argv: readonly string[],
): { readonly help: true } | { readonly help: false; readonly options: ReforwardOptions } {
  const read = readFlags(argv, {
    values: new Set(["--stack", "--from", "--to"]),
    switches: new Set(["--dry-run"]),
    helpHint: "reforward --help",
  });
  if (read.help) return { help: true };
  const { values } = read;
  const dryRun = read.switches.has("--dry-run");
  const stack = values.get("--stack");
  if (stack === undefined) throw new UsageError("reforward needs --stack <name>");
  const from = values.get("--from");
  if (from === undefined) {
    throw new UsageError("reforward needs --from <time>: when the first event to re-forward was stored");
  }
  const fromMs = timeOf("--from", from);
  const to = values.get("--to");
  const toMs = to === undefined ? undefined : timeOf("--to", to);
  if (toMs !== undefined && toMs < fromMs) throw new UsageError(`--to (${to}) is before --from (${from})`);
  return { help: false, options: { stack, fromMs, ...(toMs === undefined ? {} : { toMs }), dryRun } };
}
