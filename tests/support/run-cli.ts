/**
 * Runs `npm start`'s own command (read from package.json, so the test cannot drift from the script) as a
 * child process, with fd 3 open as the sandbox's secrets test hook.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the sandbox wrote to fd 3 (`LEMON_SANDBOX_SECRETS_FD=3`). */
  readonly hook: string;
}

/**
 * The `start` script split into argv, `node` replaced by this Node binary. The script `exec`s node, so a
 * signal to `npm start` (SIGTERM from `timeout`, a container stop) reaches the sandbox itself, not a shell.
 */
export function startCommand(): string[] {
  const pkg = require(path.join(REPO_ROOT, "package.json")) as { scripts: Record<string, string> };
  const [exec, program, ...args] = pkg.scripts.start!.split(" ");
  if (exec !== "exec" || program !== "node") {
    throw new Error(`expected the start script to exec node, got ${pkg.scripts.start}`);
  }
  return [process.execPath, ...args];
}

export interface CliRunOptions {
  /**
   * Start the CLI as the leader of a process group of its own (pgid = its pid), as a shell, `timeout` or
   * a terminal does, so a test can signal the whole group (`process.kill(-pid, signal)`) and check that the
   * group is empty afterwards.
   */
  readonly processGroup?: boolean;
}

/**
 * Runs the CLI to its exit. `onStdout` sees the whole stdout so far after every chunk, with the child, so a
 * test can act on what was printed (e.g. send SIGINT once the sandbox says it is running).
 */
export function runCli(
  args: readonly string[],
  onStdout?: (stdout: string, child: ChildProcess) => void,
  timeoutMs = 60_000,
  options: CliRunOptions = {},
): Promise<CliRun> {
  const [program, ...base] = startCommand();
  const { LEMON_MARKETS_API_KEY: _ignored, ...env } = process.env;
  const child = spawn(program!, [...base, ...args], {
    cwd: REPO_ROOT,
    env: { ...env, LEMON_SANDBOX_SECRETS_FD: "3" },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    detached: options.processGroup === true,
  });
  const chunks = { stdout: "", stderr: "", hook: "" };
  child.stdout!.on("data", (chunk: Buffer) => {
    chunks.stdout += chunk.toString("utf8");
    onStdout?.(chunks.stdout, child);
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    chunks.stderr += chunk.toString("utf8");
  });
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  fd3.on("data", (chunk: Buffer) => {
    chunks.hook += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (options.processGroup === true && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
      reject(new Error(`sandbox did not exit within ${timeoutMs} ms; stdout so far:\n${chunks.stdout}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...chunks });
    });
  });
}
