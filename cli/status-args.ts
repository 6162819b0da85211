/**
 * Command-line parsing of `lemon-webhooks status`. Pure: argv in, options or a {@link UsageError} naming the
 * flag and the fix out.
 */
import { readFlags } from "./flags";
import { UsageError } from "./usage-error";

/** Parsed options of status. */
export interface StatusOptions {
  readonly stack: string;
  /** Print one JSON document instead of the table. */
  readonly json: boolean;
}

/** Exit codes of status. */
export const STATUS_EXIT = Object.freeze({
  /** Nothing failing (warnings may be listed). */
  ok: 0,
  /** At least one FAIL finding: something is broken, or could not be checked. */
  unhealthy: 1,
  usage: 2,
  /** Stack outputs or config, AWS credentials or the lemon.markets API key unavailable: nothing was checked. */
  setup: 4,
});

export const STATUS_USAGE = `Usage: lemon-webhooks status --stack <name> [--json]

One screen answering "is it working?" for a deployed stack:
  webhook             the webhook as lemon.markets sees it (GET /v1/webhooks): its url and events against
                      the stack's endpointUrl and events outputs
  last delivery       the newest delivery the receiver got in the last 24 h, and its counts
  last forwarded      the newest event the forwarder put on the bus in the last 24 h
  alarms              every alarm of the stack (its alarmNames output) in ALARM
  dead-letter queues  depth of the forwarder's failure queue and of each subscription's dead-letter queue
  reconciler          its last run, events it recovered in 24 h and its watermark lag
  dashboard           the stack's dashboardUrl output, when it has one

  --stack <name>   read the outputs (\`pulumi stack output --json\`, no secrets) and config of this stack
  --json           print one JSON document {stack, checkedAt, result, exitCode, findings[], dashboardUrl}
  -h, --help       show this help

Each finding is OK, INFO, WARN or FAIL. FAIL: the webhook is missing, points elsewhere or lacks an event
type of the stack; events stored but none forwarded; an alarm in ALARM; a message in a dead-letter queue; an
enabled reconciler that did not run in 24 h; or a check that could not be made (access denied, throttled).
WARN: no delivery or forward in 24 h (a quiet account looks the same), rejected or failed deliveries,
extra event types, events recovered by the reconciler, an output the stack does not export yet.

Needs: the lemon.markets API key (stack config lemonmarkets:apiKey, read with \`pulumi config get\`, or
LEMON_MARKETS_API_KEY; never printed) and AWS credentials (AWS_* env vars) allowed
cloudwatch:GetMetricData, cloudwatch:DescribeAlarms and sqs:GetQueueAttributes.

Exit codes: 0 nothing failing (warnings allowed), 1 something failing, 2 bad flags, 4 stack outputs /
config / API key / credentials unavailable.`;

/**
 * Parses status's arguments (without the command name).
 *
 * @throws UsageError naming the flag and how to fix it.
 * @example
 * parseStatusArgs(["--stack", "dev", "--json"]);
 */
export function parseStatusArgs(
  argv: readonly string[],
): { readonly help: true } | { readonly help: false; readonly options: StatusOptions } {
  const read = readFlags(argv, {
    values: new Set(["--stack"]),
    switches: new Set(["--json"]),
    helpHint: "status --help",
  });
  if (read.help) return { help: true };
  const stack = read.values.get("--stack");
  if (stack === undefined) throw new UsageError("status needs --stack <name>: the Pulumi stack to check");
  return { help: false, options: { stack, json: read.switches.has("--json") } };
}
