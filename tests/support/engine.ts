/**
 * The engine suite's harness: the real `pulumi` CLI (built from its Go modules by scripts/peers/pulumi.mjs),
 * driven by Automation API with an *inline* program made of WebhookRegistration only, a local file backend,
 * the passphrase secrets provider and the lemon.markets emulator on localhost. No network, no language host
 * (inline programs run in this process; the engine connects back to Automation API's language server).
 *
 * Each program directory is a scratch directory shaped like a consumer project: `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml` (written by the workspace) and `node_modules/{@pulumi/pulumi,lemon-webhooks}` as
 * symlinks into this checkout. The engine starts the dynamic provider (`pulumi-resource-pulumi-nodejs`, on
 * PATH) with that directory as cwd, so the provider finds the package exactly as it does in a user's project.
 *
 * @example
 * const engine = await startEngine();
 * engine.spec.args = { url, events: ["account.created"] };
 * const stack = await engine.stack("first");
 * const { ops } = await engine.run(stack, (onEvent) => stack.up({ onEvent }));
 * await engine.close();
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type EngineEvent, LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { WebhookRegistration, type WebhookRegistrationArgs } from "../../components/registration";
import { type Emulator, startEmulator } from "../../emulator";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT = "lemon-engine-suite";
export const STACK = "engine";
/** The API key the emulator accepts (made up, recognisable when grepping state). */
export const API_KEY = "lmk_engine_key_3c8e1f0a9b2d4e67";
/** A receiver URL; the emulator never delivers in these tests (no events are emitted). */
export const RECEIVER_URL = "https://receiver.example.com/webhooks/lemon";
/** Type token of WebhookRegistration resources in state and in the engine's events. */
export const REGISTRATION_TYPE = "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration";
/** Engine operations are slow on a shared 2-core machine; nothing here depends on speed. */
export const ENGINE_TIMEOUT_MS = 5 * 60_000;
/** Pulumi's marker of a secret value in state. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const PASSPHRASE = "engine-suite-passphrase";

/** What scripts/peers/pulumi.mjs provides. */
interface PulumiPeer {
  readonly version: string;
  readonly root: string;
  readonly path: string;
}

/** Builds the CLI on first use (cached afterwards) and returns where it is. */
function providePulumi(): PulumiPeer {
  const stdout = execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, "scripts", "peers", "provide.mjs"), "pulumi"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return (JSON.parse(stdout) as { pulumi: PulumiPeer }).pulumi;
}

/** The program the inline workspace runs; tests change it between operations. */
export interface ProgramSpec {
  args: WebhookRegistrationArgs;
  opts?: pulumi.CustomResourceOptions;
  /** Hand the registration an url that is unknown during preview, as an API Gateway endpoint not yet created is. */
  unknownUrl?: boolean;
  /** Declare nothing (an empty program). */
  empty?: boolean;
}

/** One engine step of the WebhookRegistration, as seen in the event stream: `pre:create`, `outputs:delete-replaced`, … */
export type StepLine = `${"pre" | "outputs"}:${string}`;

export interface Engine {
  readonly emu: Emulator;
  readonly command: PulumiCommand;
  /** Directory of the file backend (`file://<backendDir>`). */
  readonly backendDir: string;
  readonly scratch: string;
  /** Read by the inline program at each run. */
  spec: ProgramSpec;
  /** A workspace in program directory `name` (created on first use), selecting or creating the stack. */
  stack(name: string): Promise<Stack>;
  /** A second copy of program directory `from` (its Pulumi.yaml and stack config), like a second clone. */
  copyProgram(from: string, to: string): Promise<Stack>;
  /** Runs an operation, returning its result and the WebhookRegistration steps in event order. */
  run<T>(
    op: (onEvent: (event: EngineEvent) => void) => Promise<T>,
  ): Promise<{ result: T; steps: StepLine[] }>;
  /** Every file of the backend directory, concatenated (state, backups, history). */
  backendText(): string;
  close(): Promise<void>;
}

function linkPackages(dir: string): void {
  mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(
    path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(dir, "node_modules", "@pulumi", "pulumi"),
  );
  symlinkSync(REPO_ROOT, path.join(dir, "node_modules", "lemon-webhooks"));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Starts the emulator and prepares the CLI, a scratch directory and a file backend. */
export async function startEngine(): Promise<Engine> {
  const peer = providePulumi();
  const command = await PulumiCommand.get({ root: peer.root });
  const scratch = mkdtempSync(path.join(os.tmpdir(), "lemon-engine-"));
  const backendDir = path.join(scratch, "backend");
  const pulumiHome = path.join(scratch, "pulumi-home");
  mkdirSync(backendDir);
  mkdirSync(pulumiHome);
  const emu = await startEmulator({ apiKeys: [API_KEY] });
  const envVars: Record<string, string> = {
    PATH: `${peer.path}:${process.env.PATH ?? ""}`,
    PULUMI_HOME: pulumiHome,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
  const engine: Engine = {
    emu,
    command,
    backendDir,
    scratch,
    spec: { args: { url: RECEIVER_URL, events: ["account.created"], apiBaseUrl: emu.baseUrl } },
    async stack(name) {
      const workDir = path.join(scratch, name);
      mkdirSync(workDir, { recursive: true });
      try {
        linkPackages(workDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: STACK, projectName: PROJECT, program: () => program(engine.spec) },
        {
          workDir,
          pulumiCommand: command,
          envVars,
          secretsProvider: "passphrase",
          projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
        },
      );
      await stack.setConfig("lemonmarkets:apiKey", { value: API_KEY, secret: true });
      return stack;
    },
    async copyProgram(from, to) {
      const source = path.join(scratch, from);
      const target = path.join(scratch, to);
      mkdirSync(target, { recursive: true });
      for (const file of ["Pulumi.yaml", `Pulumi.${STACK}.yaml`]) {
        copyFileSync(path.join(source, file), path.join(target, file));
      }
      linkPackages(target);
      return LocalWorkspace.selectStack(
        { stackName: STACK, projectName: PROJECT, program: () => program(engine.spec) },
        { workDir: target, pulumiCommand: command, envVars },
      );
    },
    async run(op) {
      const steps: StepLine[] = [];
      const result = await op((event) => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre?.type === REGISTRATION_TYPE) steps.push(`pre:${pre.op}`);
        const outputs = event.resOutputsEvent?.metadata;
        if (outputs?.type === REGISTRATION_TYPE) steps.push(`outputs:${outputs.op}`);
      });
      return { result, steps };
    },
    backendText() {
      return filesUnder(backendDir)
        .map((file) => readFileSync(file, "utf8"))
        .join("\n");
    },
    async close() {
      await emu.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return engine;
}

/** The inline program: one WebhookRegistration (or none), exporting its id. */
async function program(spec: ProgramSpec): Promise<Record<string, unknown>> {
  if (spec.empty) return {};
  const url: pulumi.Input<string> =
    spec.unknownUrl && pulumi.runtime.isDryRun()
      ? (pulumi.output(pulumi.unknown) as unknown as pulumi.Output<string>)
      : spec.args.url;
  const registration = new WebhookRegistration("lemon", { ...spec.args, url }, spec.opts);
  return { webhookId: registration.webhookId };
}

/** A resource as the checkpoint file stores it. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/**
 * The resources of the raw checkpoint file (`<backend>/.pulumi/stacks/<project>/<stack>.json`), secrets as
 * the backend stores them: Automation API's `exportStack` runs `pulumi stack export --show-secrets`, which
 * decrypts them, so it cannot show what is on disk.
 */
export function stateOnDisk(backendDir: string): StateResource[] {
  const file = path.join(backendDir, ".pulumi", "stacks", PROJECT, `${STACK}.json`);
  const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
    checkpoint: { latest?: { resources?: StateResource[] } };
  };
  return checkpoint.checkpoint.latest?.resources ?? [];
}

/** The WebhookRegistration resources of the checkpoint file. */
export function registrationsOnDisk(backendDir: string): StateResource[] {
  return stateOnDisk(backendDir).filter((resource) => resource.type === REGISTRATION_TYPE);
}

/** The emulator's API requests as `METHOD path` lines, in order. */
export function requestLines(emu: Emulator): string[] {
  return emu.requests.map((request) => `${request.method} ${request.path}`);
}
