/**
 * Command-line parsing of `lemon-webhooks send-test-event`. Pure: argv in, options or a {@link UsageError}
 * naming the flag and the fix out.
 */
import { EVENT_TYPE_PATTERN } from "../components/lemon-api/event-types";
import type { SignatureScheme } from "../contract/signature";
import { parseSignatureScheme, SignatureSchemeError } from "../contract/signature-presets";
import { readFlags } from "./flags";
import { UsageError } from "./usage-error";

/** Exit codes (documented in docs/operations.md and `--help`). */
export const EXIT = Object.freeze({
  /** The receiver answered 200 (and, with --expect-forwarded, the event is confirmed on the bus). */
  ok: 0,
  /** The endpoint did not answer 200 (or could not be reached). */
  deliveryFailed: 1,
  /** Bad flags (including a production stack without --yes). */
  usage: 2,
  /** --expect-forwarded: the receiver answered 200 but the forward could not be confirmed. */
  notForwarded: 3,
  /** The stack outputs, the signature secret or AWS credentials could not be read. */
  setup: 4,
});

/** Default `--type`. */
export const DEFAULT_TEST_EVENT_TYPE = "order.executed";
/** Default `--timeout` in ms: lemon.markets' own delivery deadline. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export const USAGE = `Usage: lemon-webhooks send-test-event [options]

Sends one synthetic lemon.markets event, signed exactly as lemon.markets signs deliveries, to your deployed
receiver, and reports the HTTP status and round-trip time.

Where to send (one of):
  --stack <name>            read endpointUrl, secretArn and dedupeTableName from
                            \`pulumi stack output --json --stack <name>\`; the signature secret is then read
                            from Secrets Manager by that ARN with your AWS credentials (AWS_* env vars)
  --endpoint <url>          the receiver URL, together with:
  --secret-from-env <VAR>   the name of an environment variable holding the signature secret.
                            There is deliberately no flag taking the secret itself: it would end up in your
                            shell history and in the process list.

Options:
  --type <event type>       event type to send (default ${DEFAULT_TEST_EVENT_TYPE})
  --expect-forwarded        also confirm the event reached the EventBridge bus: waits up to 30 s for the
                            forwarder to mark the stored item forwardedAtMs (set only after EventBridge
                            accepted it); needs dynamodb:GetItem on the table
  --dedupe-table <name>     the dedupe table, for --expect-forwarded with --endpoint
  --signature-scheme <s>    sign with this scheme (a preset name or a JSON object, docs/signature-schemes.md)
                            instead of the deployed one (--stack: the signatureScheme output; --endpoint:
                            lemon-default); e.g. to see which preset the receiver's probe names
  --timeout <ms>            how long to wait for the answer (default ${DEFAULT_TIMEOUT_MS})
  --yes                     send even when the stack's apiBaseUrl is production lemon.markets
                            (with --stack, the command refuses a production stack without it)
  -h, --help                show this help

The test event reaches your consumers like a real event of its type. It is marked: its id starts with
evt_test_ and context.test = "lemon-webhooks send-test-event"; an EventBridge rule ignores it with
"detail": {"id": [{"anything-but": {"prefix": "evt_test_"}}]} in its pattern.

Exit codes: 0 delivered (and confirmed), 1 delivery failed, 2 bad flags (or a production stack without
--yes), 3 not confirmed on the bus, 4 stack outputs / config / secret / credentials unavailable.

Also: lemon-webhooks reforward --help (re-forward stored events the forwarder never got onto the bus),
      lemon-webhooks replay --help (replay the archive to the bus, or to one subscription),
      lemon-webhooks status --help (is it working? the webhook, deliveries, alarms, dead-letter queues).`;

export { UsageError } from "./usage-error";

/** Where the endpoint and secret come from. */
export type Target =
  | { readonly kind: "stack"; readonly stack: string }
  | {
      readonly kind: "endpoint";
      readonly endpoint: string;
      readonly secretEnvVar: string;
      readonly dedupeTable?: string;
    };

/** Parsed options of send-test-event. */
export interface SendTestEventOptions {
  readonly target: Target;
  readonly type: string;
  readonly expectForwarded: boolean;
  readonly timeoutMs: number;
  /** `--yes`: send to a production stack too. */
  readonly yes: boolean;
  /** How long --expect-forwarded waits for the forwarded mark; default `CONFIRM_WINDOW_MS` (tests shorten it). */
  readonly confirmWindowMs?: number;
  /** `--signature-scheme`: sign with this scheme instead of the deployed one. */
  readonly signatureScheme?: SignatureScheme;
}

/** The result of parsing: help requested, or options. */
export type ParsedCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: SendTestEventOptions };

const VALUE_FLAGS = new Set([
  "--stack",
  "--endpoint",
  "--secret-from-env",
  "--type",
  "--dedupe-table",
  "--timeout",
  "--signature-scheme",
]);
const SECRET_FLAGS = new Set(["--secret", "--signature-secret", "--signing-secret"]);

/**
 * Parses `send-test-event`'s arguments (without the command name).
 *
 * @throws UsageError naming the flag and how to fix it.
 * @example
 * parseSendTestEventArgs(["--stack", "dev", "--expect-forwarded"]);
 */
export function parseSendTestEventArgs(argv: readonly string[]): ParsedCommand {
  const read = readFlags(argv, {
    values: VALUE_FLAGS,
    switches: new Set(["--expect-forwarded", "--yes"]),
    helpHint: "--help",
    refuse: (flag) =>
      SECRET_FLAGS.has(flag)
        ? `${flag} is not supported: a secret on the command line lands in shell history; put it in an environment variable and pass --secret-from-env <VAR>`
        : undefined,
  });
  if (read.help) return { help: true };
  const { values } = read;
  const expectForwarded = read.switches.has("--expect-forwarded");
  const yes = read.switches.has("--yes");
  const type = values.get("--type") ?? DEFAULT_TEST_EVENT_TYPE;
  if (!EVENT_TYPE_PATTERN.test(type)) {
    throw new UsageError(
      `--type ${JSON.stringify(type)} is not an event type; use <entity>.<action>, e.g. order.executed`,
    );
  }
  const timeoutRaw = values.get("--timeout");
  const timeoutMs = timeoutRaw === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw new UsageError("--timeout must be a whole number of milliseconds from 1 to 120000");
  }
  const signatureScheme = schemeOf(values.get("--signature-scheme"));
  return {
    help: false,
    options: {
      target: targetOf(values, expectForwarded),
      type,
      expectForwarded,
      timeoutMs,
      yes,
      ...(signatureScheme === undefined ? {} : { signatureScheme }),
    },
  };
}

function schemeOf(value: string | undefined): SignatureScheme | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSignatureScheme(value, "--signature-scheme");
  } catch (error) {
    if (error instanceof SignatureSchemeError) throw new UsageError(error.message);
    throw error;
  }
}

function targetOf(values: ReadonlyMap<string, string>, expectForwarded: boolean): Target {
  const stack = values.get("--stack");
  const endpoint = values.get("--endpoint");
  const secretEnvVar = values.get("--secret-from-env");
  const dedupeTable = values.get("--dedupe-table");
  if (stack !== undefined) {
    if (endpoint !== undefined || secretEnvVar !== undefined || dedupeTable !== undefined) {
      throw new UsageError(
        "--stack reads the endpoint, secret and table itself; drop --endpoint, --secret-from-env and --dedupe-table",
      );
    }
    return { kind: "stack", stack };
  }
  if (endpoint === undefined || secretEnvVar === undefined) {
    throw new UsageError(
      "say where to send: --stack <name>, or --endpoint <url> with --secret-from-env <VAR>",
    );
  }
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new UsageError(
      `--endpoint must be an http(s) URL such as https://abc.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnvVar)) {
    throw new UsageError(
      "--secret-from-env takes the NAME of an environment variable (e.g. LEMON_SIGNATURE_SECRET), not the secret",
    );
  }
  if (expectForwarded && dedupeTable === undefined) {
    throw new UsageError(
      "--expect-forwarded with --endpoint needs --dedupe-table <name> (the receiver's dedupeTableName output)",
    );
  }
  return dedupeTable === undefined
    ? { kind: "endpoint", endpoint, secretEnvVar }
    : { kind: "endpoint", endpoint, secretEnvVar, dedupeTable };
}
