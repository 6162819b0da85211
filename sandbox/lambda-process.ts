/**
 * Starts the receiver Lambda bundle in its own Node process (sandbox/lambda-host.ts) behind the local API
 * Gateway, and reads its log stream. A separate process because that is what Lambda is: the bundle reads
 * `process.env` on its first invocation and writes its JSON logs and EMF metrics to stdout, so giving it a
 * process of its own keeps the environment exactly the one a deployed function gets (no API key, no secret)
 * and turns its stdout into the CloudWatch log stream the sandbox tells the story from.
 */
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { SandboxError } from "./errors";
import type { LambdaHostMessage } from "./lambda-host";

/** The host argument that selects invoke mode instead of a route path (lambda-host.ts). */
export const INVOKE_MODE = "--invoke";

/** One request log line of the receiver (`msg: "delivery"`), as written by lambda/receiver/receive.ts. */
export interface ReceiverLogRecord {
  readonly level: string;
  /** HTTP status the receiver answered. */
  readonly status: number;
  /** `stored`, `duplicate`, `rejected`, `unavailable`, … */
  readonly outcome: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly latencyMs?: number;
  readonly rejectReason?: string;
}

/** A running receiver Lambda process. */
export interface LambdaProcess {
  /** URL of the API Gateway route, e.g. `http://127.0.0.1:43121/webhooks/lemon-markets`. */
  readonly url: string;
  /** Every request log line so far, in order. */
  readonly logs: readonly ReceiverLogRecord[];
  /** The function's environment, exactly as the process got it (names, ARNs, endpoints — no secrets). */
  readonly environment: Readonly<Record<string, string>>;
  /** Process id of the Lambda process. */
  readonly pid: number | undefined;
  /** Every stdout line that is JSON (logs and EMF metrics), in order: the function's log stream. */
  readonly lines: readonly Readonly<Record<string, unknown>>[];
  /**
   * Invokes the handler with `event` and resolves with what it returned (rejects with its error's message).
   * Only for a process started without `routePath` (invoke mode: how the stream invokes the forwarder).
   */
  invoke(event: unknown): Promise<unknown>;
  /** Stops the process; resolves once it exited. Idempotent. */
  close(): Promise<void>;
}

export interface LambdaProcessOptions {
  readonly bundlePath: string;
  /** The Lambda environment (see `localReceiverEnv` in local). */
  readonly environment: Readonly<Record<string, string>>;
  /** API Gateway route path; absent: no HTTP, the handler is invoked with {@link LambdaProcess.invoke}. */
  readonly routePath?: string;
  /** Called for every request log line, as it arrives. */
  readonly onLog?: (record: ReceiverLogRecord) => void;
  /** How long the process may take to start listening. Default 20000 ms (ts-node compiles the host first). */
  readonly startTimeoutMs?: number;
}

const STEP = "starting the receiver Lambda";
const STDERR_TAIL = 2_000;

/** Parses one stdout line; `undefined` for EMF metric lines and anything that is not a request log. */
export function parseReceiverLog(line: string): ReceiverLogRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.msg !== "delivery" || typeof record.status !== "number" || typeof record.outcome !== "string") {
    return undefined;
  }
  const text = (key: string) => (typeof record[key] === "string" ? { [key]: record[key] as string } : {});
  return {
    level: typeof record.level === "string" ? record.level : "info",
    status: record.status,
    outcome: record.outcome,
    ...text("eventId"),
    ...text("eventType"),
    ...text("rejectReason"),
    ...(typeof record.latencyMs === "number" ? { latencyMs: record.latencyMs } : {}),
  };
}

/** How to run the host: compiled JS runs as is; TypeScript sources go through ts-node (swc, per tsconfig). */
function hostEntry(): { file: string; execArgv: string[] } {
  if (__filename.endsWith(".ts")) {
    return {
      file: path.join(__dirname, "lambda-host.ts"),
      execArgv: ["-r", require.resolve("ts-node/register")],
    };
  }
  return { file: path.join(__dirname, "lambda-host.js"), execArgv: [] };
}

/**
 * Forks the host with only the Lambda environment plus `PATH` (so a user's own `LEMON_MARKETS_API_KEY` or
 * AWS credentials never reach the function) and resolves once it listens.
 *
 * @throws {SandboxError} when the process exits or does not report readiness in time, with its stderr.
 */
export async function startLambdaProcess(options: LambdaProcessOptions): Promise<LambdaProcess> {
  const { file, execArgv } = hostEntry();
  const environment = { ...options.environment };
  const child = fork(file, [options.bundlePath, options.routePath ?? INVOKE_MODE], {
    cwd: path.resolve(__dirname, ".."),
    env: { ...environment, PATH: process.env.PATH ?? "" },
    execArgv,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const logs: ReceiverLogRecord[] = [];
  const lines: Record<string, unknown>[] = [];
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  child.on("message", (message: LambdaHostMessage) => {
    if (message.kind !== "result" && message.kind !== "error") return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.kind === "result") waiter?.resolve(message.value);
    else waiter?.reject(new Error(message.message));
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error("the Lambda process exited"));
    pending.clear();
  });
  let stderr = "";
  const tail = (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  };
  child.stderr?.on("data", (chunk: Buffer) => tail(chunk.toString("utf8")));
  // A ChildProcess 'error' without a listener crashes the sandbox with a bare stack (a failed fork, a
  // failed kill): keep it with the stderr, which a start failure reports; `exited` still settles the rest.
  child.on("error", (error) => tail(`\n${error.message}\n`));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null) lines.push(value as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
    const record = parseReceiverLog(line);
    if (record === undefined) return;
    logs.push(record);
    options.onLog?.(record);
  });
  let url: string;
  try {
    url = await waitForReady(child, exited, options.startTimeoutMs ?? 20_000, () => stderr);
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    logs,
    environment,
    pid: child.pid,
    lines,
    invoke: (event) =>
      new Promise((resolve, reject) => {
        if (!child.connected) {
          reject(new Error("the Lambda process is not running"));
          return;
        }
        nextId += 1;
        pending.set(nextId, { resolve, reject });
        child.send({ kind: "invoke", id: nextId, event });
      }),
    close: () => {
      closing ??= stop(child, exited);
      return closing;
    },
  };
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  stderr: () => string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (problem: string) => {
      clearTimeout(timer);
      const detail = stderr().trim();
      reject(
        new SandboxError(
          STEP,
          detail === "" ? problem : `${problem}; its stderr ends with:\n${detail}`,
          "Rebuild the bundle with `npm run build:lambda` and try again",
        ),
      );
    };
    const timer = setTimeout(() => fail(`it did not start listening within ${timeoutMs} ms`), timeoutMs);
    child.on("message", (message: LambdaHostMessage) => {
      if (message.kind === "ready") {
        clearTimeout(timer);
        resolve(message.url);
      } else if (message.kind === "failed") fail(`the Lambda process could not start: ${message.message}`);
    });
    void exited.then((code) => fail(`the Lambda process exited with code ${code}`));
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const kill = () => child.kill("SIGTERM");
  // The host may have died a moment ago (SIGKILL, a crash) with the channel not yet seen closed: the send
  // then fails with EPIPE, reported to this callback instead of as an 'error' event, and the kill is a no-op.
  if (child.connected)
    child.send({ kind: "stop" }, (error) => {
      if (error !== null) kill();
    });
  else kill();
  // A host stuck in a handler gets a few seconds, then is killed: stop() must always finish.
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}
