/**
 * Every resource the receiver (and its reconciler) creates is a classic aws resource, so whatever aws provider
 * the program passes (another region, another account) reaches all of them, the signature secret included:
 * there is no second provider whose region or credentials could differ. Read off the engine's register
 * requests, in every form a provider can be passed.
 */
import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../../components";
import { fakeBundleDir, installMocks, KNOWN_API_KEY, recorded, resetRecords, settle } from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();

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

const EU_AWS = "urn:pulumi:test::lemon-webhooks::pulumi:providers:aws::eu-aws::eu-aws-id";

describe("Component: LemonWebhookReceiver providers", () => {
  it.each<[string, (provider: aws.Provider) => pulumi.ComponentResourceOptions]>([
    ["provider", (p) => ({ provider: p })],
    ["providers: [aws]", (p) => ({ providers: [p] })],
    ["providers: { aws }", (p) => ({ providers: { aws: p } })],
    [
      "providers: { aws, aws-native } (an aws-native provider is simply unused)",
      (p) => ({
        providers: { aws: p, "aws-native": new awsNative.Provider("eu-native", { region: "eu-west-1" }) },
      }),
    ],
    ["a parent component's providers", (p) => ({ parent: new Parent("app", { providers: [p] }) })],
  ])(
    "gives the explicit aws provider to every resource, the signature secret included, passed as %s",
    async (_label, opts) => {
      // Prepare
      const provider = new aws.Provider("eu-aws", { region: "eu-west-1" });

      // Act
      new LemonWebhookReceiver(
        "lemon",
        {
          events: ["order.executed"],
          lambdaBundleDir: BUNDLE,
          forwarderBundleDir: BUNDLE,
          reconciler: { apiKey: KNOWN_API_KEY, lambdaBundleDir: BUNDLE },
        },
        opts(provider),
      );
      await settle();

      // Assess
      const custom = recorded.filter(
        (r) =>
          r.custom && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("pulumi-nodejs:dynamic"),
      );
      expect(custom.filter((r) => !r.type.startsWith("aws:")).map((r) => r.type)).toEqual([]);
      expect(custom.map((r) => r.name)).toContain("lemon-signature-secret");
      expect(custom.map((r) => r.name)).toContain("lemon-api-key");
      expect(
        custom.filter((r) => providerOf.get(r.name) !== EU_AWS).map((r) => [r.name, providerOf.get(r.name)]),
      ).toEqual([]);
    },
  );
});
