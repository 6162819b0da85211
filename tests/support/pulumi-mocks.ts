/**
 * Pulumi mocks for the component tests, in the style of pulumi-awsx's tests: every `newResource` call is
 * recorded (reset per test), unknown invokes throw, outputs are awaited with `promiseOf`, and mocked state
 * mimics AWS closely enough (ARNs, autonamed physical names, the stage's invoke URL) for exact assertions.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** A signature secret the mocked registration returns; must never appear in plaintext in any input. */
export const KNOWN_SIGNATURE_SECRET = "f09f8d8b-known-signature-secret-5eb2e0c4a1";
/** The lemon.markets API key put in stack config; must never appear in any input. */
export const KNOWN_API_KEY = "lm-known-api-key-7c1d93b8e4";
/** The webhook id the mocked registration returns. */
export const KNOWN_WEBHOOK_ID = "wbh_0953534cf20f414098533680abd6b1c6";
export const REGION = "eu-central-1";
export const ACCOUNT = "123456789012";
export const PROJECT = "lemon-webhooks";
export const STACK = "test";
/** Route 53 zone of API Gateway's regional endpoints in {@link REGION} (the mocked domains' target zone). */
export const API_GATEWAY_ZONE_ID = "Z1U9ULNL0V5AJ3";
/** The label (creation time) of every mocked DynamoDB stream. */
export const STREAM_LABEL = "2026-12-01T20:00:00.000";

/** One mocked `newResource` call. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
}

/** One mocked invoke. */
export interface RecordedInvoke {
  readonly token: string;
  readonly args: Record<string, unknown>;
}

export const recorded: RecordedResource[] = [];
export const invokes: RecordedInvoke[] = [];

// The wire format of a secret value, as deserialized inputs carry it (pulumi's rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True when a mocked input value arrived as a Pulumi secret. */
export function isSecretInput(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** The plaintext inside a secret input (for asserting what was stored, never for logging). */
export function secretInputValue(value: unknown): unknown {
  if (!isSecretInput(value)) throw new Error("not a secret input");
  return (value as Record<string, unknown>).value;
}

/** `value` with every secret replaced by "[secret]": what is visible without decrypting. */
export function withoutSecrets(value: unknown): unknown {
  if (isSecretInput(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}

/** The name AWS (via Pulumi autonaming) would give: logical name plus a 7-character suffix. */
export function physicalName(logicalName: string): string {
  return `${logicalName}-0a1b2c3`;
}

function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const phys = typeof inputs.name === "string" ? inputs.name : physicalName(name);
  switch (type) {
    case "aws:apigatewayv2/api:Api":
      return {
        ...inputs,
        arn: `arn:aws:apigateway:${REGION}::/apis/${name}-id`,
        executionArn: arn("execute-api", `${name}-id`),
      };
    case "aws:apigatewayv2/domainName:DomainName": {
      // AWS fills in the regional target the alias records point at (`d-…` name, API Gateway's zone).
      const config = inputs.domainNameConfiguration as Record<string, unknown>;
      return {
        ...inputs,
        arn: `arn:aws:apigateway:${REGION}::/domainnames/${String(inputs.domainName)}`,
        domainNameConfiguration: {
          ...config,
          targetDomainName: `d-${name}.execute-api.${REGION}.amazonaws.com`,
          hostedZoneId: API_GATEWAY_ZONE_ID,
        },
      };
    }
    case "aws:apigatewayv2/stage:Stage":
      return { ...inputs, invokeUrl: `https://${String(inputs.apiId)}.execute-api.${REGION}.amazonaws.com/` };
    case "aws:lambda/function:Function":
      return { ...inputs, name: phys, arn: arn("lambda", `function:${phys}`) };
    case "aws:secretsmanager/secret:Secret":
      // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
      return { ...inputs, name: phys, arn: arn("secretsmanager", `secret:${phys}-AbCdEf`) };
    case "aws:dynamodb/table:Table":
      return {
        ...inputs,
        name: phys,
        arn: arn("dynamodb", `table/${phys}`),
        // Only a table with a stream has one; the label is the stream's creation time.
        ...(inputs.streamEnabled === true
          ? { streamArn: arn("dynamodb", `table/${phys}/stream/${STREAM_LABEL}`) }
          : {}),
      };
    case "aws:cloudwatch/eventBus:EventBus":
      return { ...inputs, name: phys, arn: arn("events", `event-bus/${phys}`) };
    case "aws:cloudwatch/eventArchive:EventArchive":
      return { ...inputs, name: phys, arn: arn("events", `archive/${phys}`) };
    case "aws:cloudwatch/eventRule:EventRule":
      return { ...inputs, name: phys, arn: arn("events", `rule/${String(inputs.eventBusName)}/${phys}`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...inputs, name: phys, arn: arn("logs", `log-group:${phys}`) };
    case "aws:sqs/queue:Queue":
      return {
        ...inputs,
        name: phys,
        arn: arn("sqs", phys),
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${phys}`,
      };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { ...inputs, name: phys, arn: arn("cloudwatch", `alarm:${phys}`) };
    case "aws:sns/topic:Topic":
      return { ...inputs, name: phys, arn: arn("sns", phys) };
    case "aws:iam/role:Role":
      return { ...inputs, name: phys, arn: `arn:aws:iam::${ACCOUNT}:role/${phys}` };
    default:
      if (type.startsWith("pulumi-nodejs:dynamic")) {
        // The registration: a known, deliberately NOT secret-marked value, so the tests prove the component
        // marks it secret itself.
        return { ...inputs, webhookId: KNOWN_WEBHOOK_ID, signatureSecret: KNOWN_SIGNATURE_SECRET };
      }
      return { ...inputs, name: phys, arn: arn("mock", `${type}/${phys}`) };
  }
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const inputs = args.inputs as Record<string, unknown>;
    recorded.push({ type: args.type, name: args.name, inputs, custom: args.custom ?? false });
    if (args.custom === false) return { id: undefined, state: {} };
    const id = args.type.startsWith("pulumi-nodejs:dynamic") ? KNOWN_WEBHOOK_ID : `${args.name}-id`;
    return { id, state: mockState(args.type, args.name, inputs) };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
    throw new Error(`unexpected invoke ${args.token}`);
  },
};

/** Dependencies (URNs) each registered resource declared, by logical name: explicit and from inputs. */
export const dependencies = new Map<string, string[]>();

/** The resource options of one registration, as the engine receives them (the mocks' `newResource` does not). */
export interface RecordedOptions {
  readonly type: string;
  readonly retainOnDelete: boolean;
  readonly protect: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly additionalSecretOutputs: string[];
  readonly ignoreChanges: string[];
  readonly replaceOnChanges: string[];
  /** Parent URN; "" for the stack's children. */
  readonly parent: string;
}

/** Resource options of each registered resource, by logical name. */
export const options = new Map<string, RecordedOptions>();

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getRetainondelete(): boolean;
  getProtect(): boolean;
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
}

/** Installs the mocks (as a preview or an update) and clears the records. */
export async function installMocks(preview = false): Promise<void> {
  resetRecords();
  await pulumi.runtime.setMocks(mocks, PROJECT, STACK, preview);
  // The mock monitor hands neither dependencies nor options to `newResource`; read them off the request.
  const monitor = runtimeInternals.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    dependencies.set(req.getName(), req.getDependenciesList());
    options.set(req.getName(), {
      type: req.getType(),
      retainOnDelete: req.getRetainondelete(),
      protect: req.getProtect(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      parent: req.getParent(),
    });
    return original(req, callback);
  };
}

/** Clears the records between tests without replacing the mocks. */
export function resetRecords(): void {
  recorded.length = 0;
  invokes.length = 0;
  dependencies.clear();
  options.clear();
}

/** Resolves with the value of `output` (mocked outputs are always known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

// Not in the public typings, but exported at run time: resolves once every queued registration has been sent.
const runtimeInternals = pulumi.runtime as unknown as {
  waitForRPCs(): Promise<void>;
  getMonitor(): { getRegisteredResources(): Map<string, { urn: string }> } | undefined;
};

/** Waits until every resource constructed so far has been registered with the mocks. */
export async function settle(): Promise<void> {
  await runtimeInternals.waitForRPCs();
}

/** URNs of every resource the mocks have registered. */
export function registeredUrns(): string[] {
  const monitor = runtimeInternals.getMonitor();
  if (monitor === undefined) throw new Error("mocks are not installed");
  return [...monitor.getRegisteredResources().keys()];
}

/** The one recorded resource of `type` named `name`; fails when there is none or more than one. */
export function resource(type: string, name: string): RecordedResource {
  const matches = recorded.filter((r) => r.type === type && r.name === name);
  if (matches.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${matches.length}`);
  return matches[0] as RecordedResource;
}

/**
 * A directory holding a stand-in receiver bundle, so tests do not depend on `npm run build:lambda`. One fixed
 * path with fixed content: every suite and worker may (re)write it, and runs leave nothing new behind in /tmp.
 */
export function fakeBundleDir(): string {
  const dir = join(tmpdir(), "lemon-webhooks-tests-fake-bundle");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), "exports.handler = async () => ({ statusCode: 200 });\n");
  return dir;
}

/** Puts stack config in place the way the Pulumi CLI does: `PULUMI_CONFIG` JSON plus the secret key list. */
export function setStackConfig(config: Record<string, string>, secretKeys: readonly string[]): void {
  process.env.PULUMI_CONFIG = JSON.stringify(config);
  process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
}

/**
 * Jest hooks for a component test file (or `describe`): before each test the recorded resources are reset and
 * `pulumi.log.warn` is captured (restored after). Returns the current test's spy.
 *
 * @example
 * const warnings = recordEachTest();
 * it("warns", () => { …; expect(warnings()).toHaveBeenCalledWith("…", expect.anything()); });
 */
export function recordEachTest(): () => jest.SpyInstance {
  let warn: jest.SpyInstance | undefined;
  beforeEach(() => {
    resetRecords();
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => {
    warn?.mockRestore();
  });
  return () => {
    if (warn === undefined) throw new Error("recordEachTest(): read the warnings inside a test");
    return warn;
  };
}
