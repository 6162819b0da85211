/**
 * Command-line options of `npm start`, parsed by a pure function so every way of getting them wrong is
 * testable without starting a server.
 */
import { EVENT_TYPE_PATTERN, isPublishedEventType } from "../components/lemon-api/event-types";
import type { SignatureScheme } from "../contract/signature";
import { parseSignatureScheme, SignatureSchemeError } from "../contract/signature-presets";

/** What `npm start -- …` asked for. */
export interface SandboxCliOptions {
  /** Stay up after the walkthrough, print each forwarded event, clean up on Ctrl-C. */
  readonly keepRunning: boolean;
  /** Event types the sandbox webhook subscribes to (deduplicated, in the order given). */
  readonly events: readonly string[];
  /** Print usage and exit 0. */
  readonly help: boolean;
  /** `--signature-scheme`: the scheme the emulator signs with and the receiver verifies with. */
  readonly signatureScheme?: SignatureScheme;
}

/** A command line the sandbox cannot run; the message names the flag and says how to fix it. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The guide subscribes to exactly this type; it is what `POST /v1/accounts` emits. */
export const DEFAULT_EVENTS: readonly string[] = ["account.created"];

export const USAGE = `Usage: npm start -- [options]

Runs lemon.markets' webhook setup guide end to end on localhost: a local lemon.markets emulator, the real
receiver Lambda bundle behind a local API Gateway, registration through the WebhookRegistration provider,
the guide's POST /v1/accounts, the delivery, a deduplicated redelivery, and unregistration.
No AWS account, no lemon.markets API key and no internet needed.

Options:
  --events <a,b,...>  event types to subscribe to (default: account.created), e.g. account.created,order.executed
  --keep-running      stay up after the walkthrough, print every forwarded event and curl commands to try;
                      Ctrl-C unregisters the webhook and stops every server
  --signature-scheme <preset|json>
                      the scheme the emulator signs with and the receiver verifies with (default
                      lemon-default), e.g. hex-key or '{"preset":"stripe-like","toleranceSeconds":600}'
  -h, --help          show this help
`;

/**
 * Parses `argv` (without `node` and the script path).
 * @throws {UsageError} naming the offending flag, e.g. `--events: "order.foo" is not a published …`.
 * @example parseSandboxArgs(["--events", "account.created,order.executed"]).events // ["account.created", "order.executed"]
 */
export function parseSandboxArgs(argv: readonly string[]): SandboxCliOptions {
  let keepRunning = false;
  let help = false;
  let events: readonly string[] = DEFAULT_EVENTS;
  let signatureScheme: SignatureScheme | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--keep-running") keepRunning = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--events") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(
          "--events needs a value: a comma-separated list such as --events account.created",
        );
      }
      events = parseEventList(value);
      i++;
    } else if (arg.startsWith("--events=")) events = parseEventList(arg.slice("--events=".length));
    else if (arg === "--signature-scheme") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(
          "--signature-scheme needs a value: a preset name such as hex-key, or a JSON object",
        );
      }
      signatureScheme = parseScheme(value);
      i++;
    } else if (arg.startsWith("--signature-scheme=")) {
      signatureScheme = parseScheme(arg.slice("--signature-scheme=".length));
    } else
      throw new UsageError(`unknown option ${JSON.stringify(arg)}; run npm start -- --help for the options`);
  }
  return { keepRunning, events, help, ...(signatureScheme === undefined ? {} : { signatureScheme }) };
}

function parseScheme(value: string): SignatureScheme {
  try {
    return parseSignatureScheme(value, "--signature-scheme");
  } catch (error) {
    if (error instanceof SignatureSchemeError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Splits and validates an `--events` value. Unpublished types are refused here (not just warned about, as the
 * Pulumi component does) because the emulator, like lemon.markets, answers 422 for them.
 */
export function parseEventList(value: string): readonly string[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) {
    throw new UsageError("--events is empty: give at least one event type, e.g. --events account.created");
  }
  for (const item of items) {
    if (!EVENT_TYPE_PATTERN.test(item)) {
      throw new UsageError(
        `--events: ${JSON.stringify(item)} is not an event type; types look like <entity>.<action>, e.g. account.created`,
      );
    }
    if (!isPublishedEventType(item)) {
      throw new UsageError(
        `--events: ${JSON.stringify(item)} is not a published lemon.markets event type; ` +
          "see components/lemon-api/event-types.ts for the list, e.g. account.created,order.executed",
      );
    }
  }
  return [...new Set(items)];
}
