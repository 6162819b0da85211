/**
 * `npm start`: lemon.markets' webhook setup guide, end to end on localhost, told step by step (see run.ts).
 * Exit codes: 0 done, 1 a step failed (the message says which and how to fix it), 2 bad command line,
 * 130 interrupted. The command line is checked before anything heavy is loaded, so a typo fails instantly.
 */
import { parseSandboxArgs, USAGE, UsageError } from "./args";
import { createReporter, type Reporter, wantsColour } from "./reporter";
import type { RunHooks } from "./run";

/** Parses `argv` and runs the sandbox; resolves with the exit code. `hooks`: see {@link RunHooks}. */
export async function main(
  argv: readonly string[],
  reporter: Reporter,
  errors: Reporter,
  hooks: RunHooks = {},
): Promise<number> {
  let options: ReturnType<typeof parseSandboxArgs>;
  try {
    options = parseSandboxArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    errors.fail(error.message);
    return 2;
  }
  if (options.help) {
    reporter.line(USAGE.trimEnd());
    return 0;
  }
  const { runSandbox } = await import("./run");
  return runSandbox(options, reporter, errors, hooks);
}

/**
 * The sandbox as a process: {@link main} on `argv` with the story on stdout and failures on stderr (coloured
 * on a terminal), then exits with its code.
 */
export function runAsProcess(argv: readonly string[], hooks: RunHooks = {}): void {
  const out = createReporter(
    (line) => process.stdout.write(`${line}\n`),
    wantsColour(process.stdout, process.env),
  );
  const err = createReporter(
    (line) => process.stderr.write(`${line}\n`),
    wantsColour(process.stderr, process.env),
  );
  main(argv, out, err, hooks).then(
    (code) => process.exit(code),
    (error: unknown) => {
      err.fail(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

if (require.main === module) runAsProcess(process.argv.slice(2));
