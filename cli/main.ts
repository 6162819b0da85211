/**
 * The `lemon-webhooks` command (package.json `bin`). Commands: `send-test-event`, `reforward`, `replay`,
 * `status`. Exit codes in `args.ts`, `reforward-args.ts`, `replay-args.ts` and `status-args.ts`.
 */
import { execFile } from "node:child_process";
import { EXIT, parseSendTestEventArgs, USAGE, UsageError } from "./args";
import { reforward } from "./reforward";
import { parseReforwardArgs, REFORWARD_USAGE } from "./reforward-args";
import { processTerminal, type ReplayTerminal, replay } from "./replay";
import { parseReplayArgs, REPLAY_EXIT, REPLAY_USAGE } from "./replay-args";
import { type CliIo, sendTestEvent } from "./send-test-event";
import { status } from "./status";
import { parseStatusArgs, STATUS_USAGE } from "./status-args";

/**
 * Runs the CLI with `argv` (without `node` and the script); resolves with the exit code. `io` may carry the
 * terminal and clock replay uses (default: the process's).
 */
export async function runCli(argv: readonly string[], io: CliIo & Partial<ReplayTerminal>): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    io.stdout(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === "reforward") {
    try {
      const parsed = parseReforwardArgs(rest);
      if (parsed.help) {
        io.stdout(REFORWARD_USAGE);
        return EXIT.ok;
      }
      return await reforward(parsed.options, io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(error.message);
      return EXIT.usage;
    }
  }
  if (command === "replay") {
    const replayIo = { ...processTerminal, ...io };
    try {
      const parsed = parseReplayArgs(rest, replayIo.clockMs());
      if (parsed.help) {
        io.stdout(REPLAY_USAGE);
        return REPLAY_EXIT.ok;
      }
      return await replay(parsed.options, replayIo);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(error.message);
      return REPLAY_EXIT.usage;
    }
  }
  if (command === "status") {
    try {
      const parsed = parseStatusArgs(rest);
      if (parsed.help) {
        io.stdout(STATUS_USAGE);
        return EXIT.ok;
      }
      return await status(parsed.options, io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(error.message);
      return EXIT.usage;
    }
  }
  if (command !== "send-test-event") {
    io.stderr(
      `unknown command ${command}; the commands are send-test-event, reforward, replay and status (see --help)`,
    );
    return EXIT.usage;
  }
  try {
    const parsed = parseSendTestEventArgs(rest);
    if (parsed.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    return await sendTestEvent(parsed.options, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}`);
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
