/** Command-line flags of `npm run emulator`, turned into {@link EmulatorOptions}. Pure, so tests call it. */
import { parseArgs } from "node:util";
import { parseSignatureScheme, SIGNATURE_PRESET_NAMES } from "../contract/signature-presets";
import type { EmulatorOptions } from "./types";

export const CLI_USAGE = `Usage: npm run emulator -- [options]
  --port <n>              port to listen on (default 4010; 0 picks a free one)
  --host <addr>           address to bind (default 127.0.0.1)
  --api-key <key>         accepted bearer key, repeatable (default: lemon-emulator-key)
  --duplicate-rate <0..1> share of deliveries sent twice (default 0)
  --reorder               hold deliveries back randomly so they arrive out of order
  --seed <n>              seed for duplicates, reorder and random faults (default: random, printed)
  --timeout-ms <n>        delivery timeout (default 10000)
  --max-attempts <n>      attempts per delivery (default 8)
  --base-delay-ms <n>     first retry delay, doubling (default 1000)
  --signature-scheme <s>  sign deliveries with this scheme: a preset (${SIGNATURE_PRESET_NAMES.join(", ")})
                          or a JSON object, e.g. '{"preset":"stripe-like","toleranceSeconds":600}'
                          (default lemon-default)
  --quiet                 do not log requests and delivery attempts
  --help                  show this text`;

/** Port the CLI uses when none is given: fixed, so a README's curl lines work as printed. */
export const CLI_DEFAULT_PORT = 4010;

export interface CliOptions {
  readonly help: boolean;
  readonly quiet: boolean;
  readonly emulator: EmulatorOptions;
}

function number(flag: string, text: string | undefined, check: (value: number) => boolean, expected: string) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !check(value))
    throw new TypeError(`--${flag} must be ${expected} (got "${text}")`);
  return value;
}

/** Throws a TypeError naming the flag for bad input (unknown flags included). */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "api-key": { type: "string", multiple: true },
      "duplicate-rate": { type: "string" },
      reorder: { type: "boolean" },
      seed: { type: "string" },
      "timeout-ms": { type: "string" },
      "max-attempts": { type: "string" },
      "base-delay-ms": { type: "string" },
      "signature-scheme": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  const integer = (min: number, max: number) => (value: number) =>
    Number.isInteger(value) && value >= min && value <= max;
  const delivery = {
    duplicateRate: number(
      "duplicate-rate",
      values["duplicate-rate"],
      (v) => v >= 0 && v <= 1,
      "a number from 0 to 1",
    ),
    reorder: values.reorder ?? false,
    timeoutMs: number("timeout-ms", values["timeout-ms"], integer(1, 2 ** 31 - 1), "a positive integer"),
    maxAttempts: number(
      "max-attempts",
      values["max-attempts"],
      integer(1, 1000),
      "an integer from 1 to 1000",
    ),
    baseDelayMs: number("base-delay-ms", values["base-delay-ms"], integer(0, 2 ** 31 - 1), "an integer >= 0"),
  };
  const emulator: EmulatorOptions = {
    port: number("port", values.port, integer(0, 65535), "an integer from 0 to 65535") ?? CLI_DEFAULT_PORT,
    delivery,
  };
  if (values.host !== undefined) emulator.host = values.host;
  if (values["api-key"] !== undefined) emulator.apiKeys = values["api-key"];
  const seed = number("seed", values.seed, Number.isSafeInteger, "an integer");
  if (seed !== undefined) emulator.seed = seed;
  if (values["signature-scheme"] !== undefined) {
    emulator.signatureScheme = parseSignatureScheme(values["signature-scheme"], "--signature-scheme");
  }
  return { help: values.help ?? false, quiet: values.quiet ?? false, emulator };
}
