/**
 * The parent side of stand-in-host.ts: forks the host (TypeScript through ts-node with swc, as the sandbox
 * runs its Lambda host) and offers its operations as promises. The host keeps serving while this process is
 * starved; its answers are only read when this process gets the CPU back.
 */
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { FaultRates, InjectedFault } from "../../../local/fault-proxy";
import type { HostEndpoints, HostSnapshot, HostStartOptions } from "./stand-in-host";
import type { StoredItem } from "./table";

/** The running host. */
export interface StandIns {
  readonly endpoints: HostEndpoints;
  readonly pid: number | undefined;
  putSecret(secret: string): Promise<void>;
  /** Secrets Manager answers 500 for `ms`. */
  secretsOutage(ms: number): Promise<void>;
  /** EventBridge answers every `PutEvents` 500 for `ms` (nothing accepted). */
  eventBridgeOutage(ms: number): Promise<void>;
  /** A seeded share of `PutEvents` calls answers 200 with every entry failed (`FailedEntryCount`). */
  eventBridgePartial(rate: number, seed: number): Promise<void>;
  setRates(rates: {
    readonly dynamo: Readonly<Record<string, FaultRates>>;
    readonly eventbridge: Readonly<Record<string, FaultRates>>;
  }): Promise<void>;
  /**
   * The next calls of `operation` at that service's proxy (with `key`: those addressing that event id) get
   * these faults, one each, before any random one.
   */
  force(
    service: "dynamodb" | "eventbridge",
    operation: string,
    faults: readonly InjectedFault[],
    key?: string,
  ): Promise<void>;
  snapshot(): Promise<HostSnapshot>;
  /** Every event item in the table (read directly from dynalite, not through the fault proxy). */
  stored(): Promise<readonly StoredItem[]>;
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/**
 * Forks the host and starts the stand-ins in it.
 *
 * @example
 * const standIns = await startStandIns({ seed: 1, dynamoRates: {}, eventBridgeRates: {}, holdMs: 5_000, forward: true });
 * await standIns.close();
 */
export async function startStandIns(options: HostStartOptions): Promise<StandIns> {
  const child: ChildProcess = fork(path.join(__dirname, "stand-in-host.ts"), [], {
    cwd: path.resolve(__dirname, "../../.."),
    execArgv: ["-r", require.resolve("ts-node/register")],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 1;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  child.on("message", (reply: Reply) => {
    const waiter = waiting.get(reply.id);
    if (waiter === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(`stand-in host: ${reply.error}`));
  });
  child.once("exit", (code) => {
    exited = true;
    for (const waiter of waiting.values()) waiter.reject(new Error(`stand-in host exited (${code})`));
    waiting.clear();
  });
  const call = <T>(op: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(new Error("stand-in host is gone"));
        return;
      }
      const id = next;
      next += 1;
      waiting.set(id, { resolve: (value) => resolve(value as T), reject });
      child.send({ id, op, args });
    });
  const close = async () => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await call("stop").catch(() => undefined);
    await gone;
    clearTimeout(timer);
  };
  try {
    await ready;
    const endpoints = await call<HostEndpoints>("start", options as unknown as Record<string, unknown>);
    return {
      endpoints,
      pid: child.pid,
      putSecret: (secret) => call<void>("putSecret", { secret }),
      secretsOutage: (ms) => call<void>("secretsOutage", { ms }),
      eventBridgeOutage: (ms) => call<void>("eventBridgeOutage", { ms }),
      eventBridgePartial: (rate, seed) => call<void>("eventBridgePartial", { rate, seed }),
      setRates: (rates) => call<void>("setRates", rates),
      force: (service, operation, faults, key) => call<void>("force", { service, operation, faults, key }),
      snapshot: () => call<HostSnapshot>("snapshot"),
      stored: () => call<readonly StoredItem[]>("stored"),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
