/**
 * Starts and stops `moto_server` (installed by scripts/peers/moto.mjs) on a free localhost port. One server
 * serves every AWS service it implements on one endpoint; the tests keep apart by unique resource names.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
/** How long moto may take to answer its first request (it imports every backend lazily; slow on a busy VM). */
const START_TIMEOUT_MS = 60_000;

/** What scripts/peers/moto.mjs `provide()` reports. */
export interface ProvidedMoto {
  readonly version: string;
  readonly venv: string;
  readonly python: string;
  readonly server: string;
  readonly installed: boolean;
}

/** A running moto server. */
export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Installs moto on first use (progress on stderr) and returns where it is. */
export function provideMoto(): ProvidedMoto {
  const stdout = execFileSync(process.execPath, [join(ROOT, "scripts", "peers", "provide.mjs"), "moto"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return (JSON.parse(stdout) as { moto: ProvidedMoto }).moto;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${endpoint}/moto-api/data.json`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not answer within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

/** Starts `moto_server` from `moto` on a free port and resolves once it answers. */
export async function startMoto(moto: ProvidedMoto): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn(moto.server, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    // The request log is on stderr; keep only the tail, for a failure message.
    output = (output + chunk.toString("utf8")).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    endpoint,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
