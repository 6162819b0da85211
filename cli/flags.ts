/**
 * The one command-line tokenizer of the CLI's commands: `--flag value`, `--flag=value`, switches, `-h`/`--help`.
 * Each command says which flags it takes; what the values mean is the command's business.
 */
import { UsageError } from "./usage-error";

/** What a command accepts. */
export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: ReadonlySet<string>;
  /** Flags without a value. */
  readonly switches: ReadonlySet<string>;
  /** Where the usage is, for error messages: `--help` or `reforward --help`. */
  readonly helpHint: string;
  /** A message refusing a flag before it is looked up (e.g. a secret on the command line), or undefined. */
  readonly refuse?: (flag: string) => string | undefined;
}

/** The flags of one command line. */
export type ReadFlags =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly values: ReadonlyMap<string, string>;
      readonly switches: ReadonlySet<string>;
    };

/**
 * Splits `argv` into values and switches by `spec`.
 *
 * @throws UsageError for an unknown or refused flag, or a value flag without a value.
 * @example
 * readFlags(["--stack", "dev", "--dry-run"], { values: new Set(["--stack"]), switches: new Set(["--dry-run"]), helpHint: "--help" });
 */
export function readFlags(argv: readonly string[], spec: FlagSpec): ReadFlags {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const raw = argv[i]!;
    const [flag, inline] =
      raw.startsWith("--") && raw.includes("=")
        ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)]
        : [raw, undefined];
    if (flag === "-h" || flag === "--help") return { help: true };
    if (spec.switches.has(flag)) {
      switches.add(flag);
      continue;
    }
    const refused = spec.refuse?.(flag);
    if (refused !== undefined) throw new UsageError(refused);
    if (!spec.values.has(flag)) throw new UsageError(`unknown option ${flag}; see ${spec.helpHint}`);
    const value = inline ?? argv[i + 1];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new UsageError(`${flag} needs a value; see ${spec.helpHint}`);
    }
    if (inline === undefined) i += 1;
    values.set(flag, value);
  }
  return { help: false, values, switches };
}
