/**
 * The built Lambda bundles, each run as Lambda runs it: in a Node process of its own (tests/support/peers/
 * lambda-container.js) that loads `dist/lambda-bundle/<name>/index.js` once and then serves invocations, with
 * exactly the environment the component sets (plus the endpoint override pointing at moto) and `PATH`. The
 * file loaded is globalSetup's copy of this run's build (see global-setup.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ENV_NAMES } from "../../../contract/env-names";
import { RECONCILER_ENV_NAMES } from "../../../contract/reconciler-env-names";
import { FORWARDER_ENV_NAMES } from "../../../contract/events-table";
import { CREDENTIALS, REGION } from "./aws";

/** The bundles under dist/lambda-bundle/. */
export const BUNDLE_NAMES = ["receiver", "forwarder", "reconciler"] as const;
/** Where globalSetup put its copies of dist/lambda-bundle/<name>/index.js. */
export const BUNDLES_DIR_ENV = "LEMON_PEERS_BUNDLES_DIR";

function bundle(name: (typeof BUNDLE_NAMES)[number]): string {
  const dir = process.env[BUNDLES_DIR_ENV];
  // Outside a peer run (globalSetup imports this module) the names are not used.
  return dir === undefined ? "" : join(dir, name, "index.js");
}
export const RECEIVER_BUNDLE = bundle("receiver");
export const RECONCILER_BUNDLE = bundle("reconciler");
export const FORWARDER_BUNDLE = bundle("forwarder");
const CONTAINER = join(__dirname, "lambda-container.js");
const START_TIMEOUT_MS = 30_000;

/** A running container of one bundle. */
export interface LambdaContainer {
  /** Every line the function wrote to stdout (its CloudWatch log stream). */
  readonly lines: readonly string[];
  /** One invocation with a context whose deadline is `remainingMs` away (default 8 s, the component's timeout). */
  invoke<T>(event: unknown, remainingMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** The AWS part of a Lambda environment: region, credentials and one endpoint override for every service. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: endpoint,
  };
}

/**
 * The receiver's environment as components/receiver/function.ts sets it, with the component's defaults. The
 * receiver has no bus (it only stores): `eventBusName` is accepted and ignored, so a caller's setup that
 * still names its bus needs no change; {@link forwarderEnv} takes the bus.
 */
export function receiverEnv(options: {
  readonly endpoint: string;
  readonly secretArn: string;
  readonly tableName: string;
  readonly eventBusName?: string;
  readonly rotationGraceSeconds?: number;
}): Record<string, string> {
  return {
    ...awsEnv(options.endpoint),
    [ENV_NAMES.secretArn]: options.secretArn,
    [ENV_NAMES.dedupeTable]: options.tableName,
    [ENV_NAMES.rotationGraceSeconds]: String(options.rotationGraceSeconds ?? 86_400),
    [ENV_NAMES.dedupeTtlSeconds]: "604800",
    [ENV_NAMES.maxBodyBytes]: "65536",
    [ENV_NAMES.secretCacheSeconds]: "300",
  };
}

/** The forwarder's environment as the component sets it (`FORWARDER_ENV_NAMES`). */
export function forwarderEnv(options: {
  readonly endpoint: string;
  readonly tableName: string;
  readonly eventBusName: string;
}): Record<string, string> {
  return {
    ...awsEnv(options.endpoint),
    [FORWARDER_ENV_NAMES.table]: options.tableName,
    [FORWARDER_ENV_NAMES.eventBusName]: options.eventBusName,
  };
}

/** The reconciler's environment as components/reconciler/reconciler.ts sets it (settle time chosen by the test). */
export function reconcilerEnv(options: {
  readonly endpoint: string;
  readonly apiKeySecretArn: string;
  readonly tableName: string;
  /** Ignored: the reconciler only stores (the stream forwards). */
  readonly eventBusName?: string;
  readonly eventTypes: readonly string[];
  readonly apiBaseUrl: string;
  readonly settleSeconds: number;
}): Record<string, string> {
  return {
    ...awsEnv(options.endpoint),
    [RECONCILER_ENV_NAMES.apiKeySecretArn]: options.apiKeySecretArn,
    [ENV_NAMES.dedupeTable]: options.tableName,
    [RECONCILER_ENV_NAMES.eventTypes]: options.eventTypes.join(","),
    [RECONCILER_ENV_NAMES.overlapSeconds]: "600",
    [RECONCILER_ENV_NAMES.initialLookbackSeconds]: "1500",
    [RECONCILER_ENV_NAMES.settleSeconds]: String(options.settleSeconds),
    [ENV_NAMES.dedupeTtlSeconds]: "604800",
    [RECONCILER_ENV_NAMES.apiBaseUrl]: options.apiBaseUrl,
  };
}

interface Reply {
  readonly id?: number;
  readonly kind?: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** Starts a container of `bundle` with exactly `env` (plus `PATH`); resolves once the bundle is loaded. */
export async function startContainer(bundle: string, env: Record<string, string>): Promise<LambdaContainer> {
  const child: ChildProcess = fork(CONTAINER, [bundle], {
    env: { ...env, PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const lines: string[] = [];
  let stderr = "";
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`container did not start: ${stderr}`)), START_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`container exited with ${code}: ${stderr}`));
    });
    child.on("message", (reply: Reply) => {
      if (reply.kind === "ready") {
        clearTimeout(timer);
        resolve();
        return;
      }
      const waiter = reply.id === undefined ? undefined : pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id!);
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.result);
    });
  });
  return {
    lines,
    invoke: <T>(event: unknown, remainingMs = 8_000) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, event, remainingMs });
      }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ kind: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
