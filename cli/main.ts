/**
 * The `lemon-webhooks` command (package.json `bin`). Commands: `send-test-event`, `reforward`, `replay`,
 * `status`. Exit codes in `args.ts`, `reforward-args.ts`, `replay-args.ts` and `status-args.ts`.
 */
import { execFile } from "node:child_process";
import { EXIT, parseSendTestEventArgs, USAGE, UsageError } from "./args";
import { reforward } from "./reforward";
import { parseReforwardArgs, REFORWARD_USAGE } from "./reforward-args";
import { processTerminal, type ReplayTerminal, replay } from "./replay";
import { parseReplayArgs, REPLAY_USAGE } from "./replay-args";
import { type CliIo, sendTestEvent } from "./send-test-event";
import { status } from "./status";
import { parseStatusArgs, STATUS_USAGE } from "./status-args";

/**
 * One command: how it parses its flags (throwing {@link UsageError} for bad ones), its `--help` text and how it
 * runs. Every command's exit codes agree with {@link EXIT} on 0 (`--help`) and 2 (bad flags).
 */
interface Command {
  readonly usage: string;
  run(args: readonly string[], io: CliIo & Partial<ReplayTerminal>): Promise<number> | "help";
}

function command<Options>(
  usage: string,
  parse: (
    args: readonly string[],
    io: CliIo & ReplayTerminal,
  ) => { help: true } | { help: false; options: Options },
  run: (options: Options, io: CliIo & ReplayTerminal) => Promise<number>,
): Command {
  return {
    usage,
    run(args, io) {
      // replay's terminal and clock default to the process's; the other commands do not read them.
      const full = { ...processTerminal, ...io };
      const parsed = parse(args, full);
      return parsed.help ? "help" : run(parsed.options, full);
    },
  };
}

/** The commands, by name. */
const COMMANDS: Readonly<Record<string, Command>> = {
  "send-test-event": command(USAGE, parseSendTestEventArgs, sendTestEvent),
  reforward: command(REFORWARD_USAGE, parseReforwardArgs, reforward),
  replay: command(REPLAY_USAGE, (args, io) => parseReplayArgs(args, io.clockMs()), replay),
  status: command(STATUS_USAGE, parseStatusArgs, status),
};

/**
 * Runs the CLI with `argv` (without `node` and the script); resolves with the exit code. `io` may carry the
 * terminal and clock replay uses (default: the process's).
 */
export async function runCli(argv: readonly string[], io: CliIo & Partial<ReplayTerminal>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    io.stdout(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const found = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (found === undefined) {
    io.stderr(
      `unknown command ${name}; the commands are send-test-event, reforward, replay and status (see --help)`,
    );
    return EXIT.usage;
  }
  try {
    const outcome = found.run(rest, io);
    if (outcome !== "help") return await outcome;
    io.stdout(found.usage);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(error.message);
    return EXIT.usage;
  }
}

/** The real world: process env and streams, the `pulumi` executable, the monotonic clock. */
export const processIo: CliIo = {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  runPulumi: (args) =>
    new Promise((resolve, reject) => {
      execFile("pulumi", [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(stderr.trim().split("\n").at(-1) || error.message));
        else resolve(stdout);
      });
    }),
  now: () => performance.now(),
};

if (require.main === module) {
  runCli(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lemon-webhooks failed: ${error instanceof Error ? error.name : "error"}\n`);
      process.exitCode = 1;
    },
  );
}
