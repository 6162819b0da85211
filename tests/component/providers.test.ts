import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver, ReceiverArgsError } from "../../components";
import {
  assertSecretBesideTable,
  receiverProviders,
  validateProviders,
} from "../../components/receiver/providers";
import { fakeBundleDir, installMocks, recorded, resetRecords, settle } from "./harness";

const BUNDLE = fakeBundleDir();
const FIX =
  'pass both, with the same region and credentials: { providers: { aws: awsProvider, "aws-native": awsNativeProvider } }';

/** Provider reference (`<urn>::<id>`) of every registered resource, by logical name, as the engine gets it. */
const providerOf = new Map<string, string>();

beforeAll(async () => {
  await installMocks();
  const monitor = (
    pulumi.runtime as unknown as {
      getMonitor(): {
        registerResource(req: { getName(): string; getProvider(): string }, cb: unknown): unknown;
      };
    }
  ).getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    providerOf.set(req.getName(), req.getProvider());
    return original(req, cb);
  };
});
beforeEach(() => {
  resetRecords();
  providerOf.clear();
});

class Parent extends pulumi.ComponentResource {
  constructor(name: string, opts: pulumi.ComponentResourceOptions) {
    super("test:index:Parent", name, {}, opts);
  }
}

function euProviders() {
  return {
    classic: new aws.Provider("eu-aws", { region: "eu-west-1" }),
    native: new awsNative.Provider("eu-native", { region: "eu-west-1" }),
  };
}

function build(opts: pulumi.ComponentResourceOptions): LemonWebhookReceiver {
  return new LemonWebhookReceiver("lemon", { events: ["order.executed"], lambdaBundleDir: BUNDLE }, opts);
}

const ref = (name: string, pkg: string) =>
  `urn:pulumi:test::lemon-webhooks::pulumi:providers:${pkg}::${name}::${name}-id`;

describe("Component: LemonWebhookReceiver providers", () => {
  it.each<[string, (p: ReturnType<typeof euProviders>) => pulumi.ComponentResourceOptions]>([
    ["an array, aws first", (p) => ({ providers: [p.classic, p.native] })],
    ["an array, aws-native first", (p) => ({ providers: [p.native, p.classic] })],
    ["a map", (p) => ({ providers: { aws: p.classic, "aws-native": p.native } })],
    ["provider (aws) plus providers (aws-native)", (p) => ({ provider: p.classic, providers: [p.native] })],
    [
      "provider (aws-native) plus providers (aws)",
      (p) => ({ provider: p.native, providers: { aws: p.classic } }),
    ],
    [
      "a parent component's providers",
      (p) => ({ parent: new Parent("app", { providers: { aws: p.classic, "aws-native": p.native } }) }),
    ],
  ])(
    "gives the secret container the aws-native provider and the rest the aws one, passed as %s",
    async (_label, opts) => {
      // Prepare
      const p = euProviders();

      // Act
      build(opts(p));
      await settle();

      // Assess
      const classicRef = ref("eu-aws", "aws");
      const nativeRef = ref("eu-native", "aws-native");
      expect(providerOf.get("lemon-signature-secret")).toBe(nativeRef);
      const custom = recorded.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
      const others = custom.filter((r) => r.name !== "lemon-signature-secret");
      expect(others.length).toBeGreaterThan(10);
      for (const r of others.filter((o) => o.type.startsWith("aws:"))) {
        expect([r.name, providerOf.get(r.name)]).toEqual([r.name, classicRef]);
      }
      expect(custom.filter((r) => r.type.startsWith("aws-native:")).map((r) => r.name)).toEqual([
        "lemon-signature-secret",
      ]);
    },
  );

  it.each<[string, (p: ReturnType<typeof euProviders>) => pulumi.ComponentResourceOptions, string]>([
    ["provider: aws", (p) => ({ provider: p.classic }), "aws"],
    ["providers: [aws]", (p) => ({ providers: [p.classic] }), "aws"],
    ["providers: { aws }", (p) => ({ providers: { aws: p.classic } }), "aws"],
    [
      "a parent with providers: { aws }",
      (p) => ({ parent: new Parent("app", { providers: [p.classic] }) }),
      "aws",
    ],
    ["provider: aws-native", (p) => ({ provider: p.native }), "aws-native"],
    ["providers: { aws-native }", (p) => ({ providers: { "aws-native": p.native } }), "aws-native"],
  ])("refuses %s alone before registering anything", async (_label, opts, only) => {
    // Prepare
    const p = euProviders();
    await settle();
    resetRecords();

    // Act
    const act = () => build(opts(p));

    // Assess
    expect(act).toThrow(ReceiverArgsError);
    expect(act).toThrow(
      only === "aws"
        ? `[providers] an explicit aws provider without an aws-native one: the signature secret (aws-native) would be created by the default aws-native provider, possibly in another region or account, where the receiver can never read it; ${FIX}`
        : `[providers] an explicit aws-native provider without an aws one: everything but the signature secret would be created by the default aws provider, possibly in another region or account; ${FIX}`,
    );
    await settle();
    expect(recorded.filter((r) => r.type !== "test:index:Parent")).toEqual([]);
  });

  it("refuses a providers map whose key names another package", () => {
    const p = euProviders();
    expect(() => build({ providers: { aws: p.native, "aws-native": p.classic } })).toThrow(
      "[providers.aws] must be a aws.Provider, got a provider of another package",
    );
  });
});

describe("Function: validateProviders (default providers)", () => {
  const none = { aws: undefined, awsNative: undefined };
  it.each<[string, { aws?: string; awsNative?: string }, NodeJS.ProcessEnv, string | undefined]>([
    ["both regions configured alike", { aws: "eu-central-1", awsNative: "eu-central-1" }, {}, undefined],
    ["no region anywhere (left to profiles)", {}, {}, undefined],
    [
      "one configured, the other from AWS_REGION, alike",
      { aws: "eu-central-1" },
      { AWS_REGION: "eu-central-1" },
      undefined,
    ],
    [
      "configured differently",
      { aws: "eu-central-1", awsNative: "us-east-1" },
      {},
      "(aws: eu-central-1, aws-native: us-east-1)",
    ],
    [
      "aws configured, aws-native from a different AWS_REGION",
      { aws: "eu-central-1" },
      { AWS_REGION: "us-east-1" },
      "(aws: eu-central-1, aws-native: us-east-1)",
    ],
    [
      "aws-native configured, aws from a different AWS_DEFAULT_REGION",
      { awsNative: "eu-west-1" },
      { AWS_DEFAULT_REGION: "eu-central-1" },
      "(aws: eu-central-1, aws-native: eu-west-1)",
    ],
  ])("%s", (_label, regions, env, refusal) => {
    const act = () => validateProviders(none, { aws: regions.aws, awsNative: regions.awsNative }, env);
    if (refusal === undefined) {
      expect(act).not.toThrow();
    } else {
      expect(act).toThrow(`[providers] the default providers are in different regions ${refusal}`);
    }
  });
});

describe("Function: assertSecretBesideTable (what only the deployment can see)", () => {
  const table = "arn:aws:dynamodb:eu-west-1:123456789012:table/lemon-dedupe-0a1b2c3";
  it("passes the secret ARN through when region and account match", () => {
    const secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lemon-signature-secret-AbCdEf";
    expect(assertSecretBesideTable(secret, table)).toBe(secret);
  });
  it.each([
    ["another region", "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"],
    ["another account", "arn:aws:secretsmanager:eu-west-1:210987654321:secret:s-AbCdEf"],
  ])("refuses a secret in %s", (_label, secret) => {
    expect(() => assertSecretBesideTable(secret, table)).toThrow(
      `[providers] the signature secret ${secret} (aws-native provider) is not in the region and account of the dedupe table ${table} (aws provider), so the receiver could never read it; ${FIX}`,
    );
  });
  it("resolves the providers the engine would pick, for the record", () => {
    const p = euProviders();
    expect(receiverProviders({ providers: [p.native, p.classic] })).toEqual({
      aws: p.classic,
      awsNative: p.native,
    });
    expect(receiverProviders({})).toEqual({ aws: undefined, awsNative: undefined });
  });
});
