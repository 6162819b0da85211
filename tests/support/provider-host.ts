/**
 * Drives Pulumi's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC exactly as
 * the engine does: Configure once, then Check/Diff/Create/Read/Update/Delete with `__provider` in the
 * properties. One host per test file (it takes a second or two to start).
 *
 * Findings this harness relies on (Pulumi 3.248):
 * - The host takes the engine address as its first argument but never connects to it; `pulumi.log` in the
 *   host has no engine and writes to the console, which is captured here ({@link ProviderHost.output}).
 * - It prints its gRPC port on stdout, then serves `pulumirpc.ResourceProvider`.
 * - It deserializes each distinct `__provider` text once per process and calls `configure` then, with the
 *   config of the last Configure call: a new API key means a new host process, like a new `pulumi` run.
 *
 * @example
 * const host = await startProviderHost();
 * await host.configure({ "lemonmarkets:apiKey": key });
 * const { inputs } = await host.check({}, { url, events, __provider: provider });
 * const { id, properties } = await host.create(inputs);
 * await host.close();
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** A property bag as JSON (what a protobuf Struct holds). */
export type Props = Record<string, unknown>;

/** Type token of WebhookRegistration resources, as the engine sends it. */
export const REGISTRATION_TYPE = "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration";

const HOST_SCRIPT = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const STARTUP_TIMEOUT_MS = 20000;

/** A failed gRPC call: `details` is the message the engine would show the user. */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  readonly method: string;
  readonly code: number;
  readonly details: string;

  constructor(method: string, error: grpc.ServiceError) {
    super(`${method} failed (gRPC ${error.code}): ${error.details}`);
    this.method = method;
    this.code = error.code;
    this.details = error.details;
  }
}

/** Result of Check: the inputs the engine would continue with, and any failures. */
export interface CheckResponse {
  readonly inputs: Props;
  readonly failures: { property: string; reason: string }[];
}

/** Result of Diff, with the engine's enum decoded. */
export interface DiffResponse {
  readonly changes: "none" | "some" | "unknown";
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
}

/** Result of Read: an empty `id` means the resource is gone. */
export interface ReadResponse {
  readonly id: string;
  readonly properties: Props;
  readonly inputs: Props | undefined;
}

/** A running provider host and a client speaking the engine's side of the protocol. */
export interface ProviderHost {
  readonly port: number;
  /** Everything the host process wrote to stdout and stderr so far. */
  output(): string;
  configure(config: Readonly<Record<string, string>>): Promise<void>;
  check(olds: Props, news: Props): Promise<CheckResponse>;
  diff(id: string, olds: Props, news: Props): Promise<DiffResponse>;
  create(properties: Props): Promise<{ id: string; properties: Props }>;
  /** `properties` undefined sends none, as the real engine does for an import (tests/engine/import.test.ts). */
  read(id: string, properties: Props | undefined, inputs?: Props): Promise<ReadResponse>;
  update(id: string, olds: Props, news: Props): Promise<{ properties: Props }>;
  delete(id: string, properties: Props): Promise<void>;
  /** Closes the client and stops the host process. */
  close(): Promise<void>;
}

/** Options of {@link startProviderHost}. */
export interface HostOptions {
  /** Working directory of the host (the Pulumi program's directory). Default: the repository root. */
  readonly cwd?: string;
  /**
   * Environment of the host. Default: this process's environment without `LEMON_MARKETS_API_KEY` and
   * `PULUMI_*` variables, so tests decide about credentials explicitly.
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the host process and connects to it. */
export async function startProviderHost(options: HostOptions = {}): Promise<ProviderHost> {
  const child = spawn(process.execPath, [HOST_SCRIPT, "127.0.0.1:1"], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const port = await waitForPort(child, () => output);
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Req, Res>(
    method: string,
    invoke: (req: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
    req: Req,
  ): Promise<Res> =>
    new Promise((resolve, reject) => {
      invoke.call(client, req, (error, response) =>
        error ? reject(new ProviderCallError(method, error)) : resolve(response),
      );
    });
  const urn = `urn:pulumi:test::lemon-webhooks::${REGISTRATION_TYPE}::registration`;

  return {
    port,
    output: () => output,
    async configure(config) {
      const req = new proto.ConfigureRequest();
      req.setArgs(Struct.fromJavaScript({ ...config }));
      for (const [key, value] of Object.entries(config)) req.getVariablesMap().set(key, value);
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      await call("Configure", client.configure, req);
    },
    async check(olds, news) {
      const req = new proto.CheckRequest();
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<proto.CheckRequest, proto.CheckResponse>("Check", client.check, req);
      return {
        inputs: json(res.getInputs()),
        failures: res
          .getFailuresList()
          .map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new proto.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<proto.DiffRequest, proto.DiffResponse>("Diff", client.diff, req);
      const changes = res.getChanges();
      const { DIFF_NONE, DIFF_SOME } = proto.DiffResponse.DiffChanges;
      return {
        changes: changes === DIFF_NONE ? "none" : changes === DIFF_SOME ? "some" : "unknown",
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(properties) {
      const req = new proto.CreateRequest();
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      req.setProperties(struct(properties));
      const res = await call<proto.CreateRequest, proto.CreateResponse>("Create", client.create, req);
      return { id: res.getId(), properties: json(res.getProperties()) };
    },
    async read(id, properties, inputs) {
      const req = new proto.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      if (properties !== undefined) req.setProperties(struct(properties));
      if (inputs !== undefined) req.setInputs(struct(inputs));
      const res = await call<proto.ReadRequest, proto.ReadResponse>("Read", client.read, req);
      const readInputs = res.getInputs();
      return {
        id: res.getId(),
        properties: json(res.getProperties()),
        inputs: readInputs === undefined ? undefined : json(readInputs),
      };
    },
    async update(id, olds, news) {
      const req = new proto.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<proto.UpdateRequest, proto.UpdateResponse>("Update", client.update, req);
      return { properties: json(res.getProperties()) };
    },
    async delete(id, properties) {
      const req = new proto.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setType(REGISTRATION_TYPE);
      req.setProperties(struct(properties));
      await call("Delete", client.delete, req);
    },
    async close() {
      client.close();
      await stop(child);
    },
  };
}

/** This process's environment minus API keys and Pulumi runtime settings. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "LEMON_MARKETS_API_KEY" || key.startsWith("PULUMI_")) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function struct(value: Props): Struct {
  return Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]);
}

function json(value: Struct | undefined): Props {
  return value === undefined ? {} : (value.toJavaScript() as Props);
}

function waitForPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`provider host printed no port within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    const onData = () => {
      const match = /^(\d+)\r?\n/.exec(output());
      if (match?.[1] !== undefined) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`provider host exited (${code}) before serving:\n${output()}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
    };
    function fail(error: Error) {
      cleanup();
      child.kill("SIGKILL");
      reject(error);
    }
    // Registered after the harness's own listener, so output() already holds the chunk.
    child.stdout?.on("data", onData);
    child.on("exit", onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
