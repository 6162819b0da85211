import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../../components";
import { certificateProblem, hostnameProblem } from "../../../components/receiver/domain";
import {
  ACCOUNT,
  API_GATEWAY_ZONE_ID,
  dependencies,
  fakeBundleDir,
  installMocks,
  promiseOf,
  REGION,
  recordEachTest,
  recorded,
  registeredUrns,
  resetRecords,
  resource,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const CERTIFICATE = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const ZONE = "Z0123456789ABCDEFGHIJ";
const DOMAIN_TYPES = [
  "aws:apigatewayv2/domainName:DomainName",
  "aws:apigatewayv2/apiMapping:ApiMapping",
  "aws:route53/record:Record",
];
const REGISTRATION = "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration";
const EXECUTE_API_URL = `https://lemon-api-id.execute-api.${REGION}.amazonaws.com/webhooks/lemon-markets`;

type ReceiverArgs = ConstructorParameters<typeof LemonWebhookReceiver>[1];
const savedRegionEnv = {
  AWS_REGION: process.env.AWS_REGION,
  AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
};

beforeAll(async () => {
  // The region comes from config in these tests, never from the machine's environment.
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
  await installMocks();
});

afterAll(() => {
  for (const [key, value] of Object.entries(savedRegionEnv))
    if (value !== undefined) process.env[key] = value;
});

const warnings = recordEachTest();
beforeEach(() => {
  pulumi.runtime.setAllConfig({});
});

function receiverOf(args: Partial<ReceiverArgs> = {}): LemonWebhookReceiver {
  return new LemonWebhookReceiver("lemon", {
    events: ["order.executed"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    ...args,
  });
}

async function build(args: Partial<ReceiverArgs> = {}): Promise<LemonWebhookReceiver> {
  const receiver = receiverOf(args);
  await settle();
  return receiver;
}

function graph(): string[] {
  return recorded.map((r) => `${r.type} ${r.name}`).sort();
}

describe("Component: LemonWebhookReceiver custom domain", () => {
  it("creates a regional TLS 1.2 dual-stack domain name with the certificate", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });

    // Assess
    expect(resource("aws:apigatewayv2/domainName:DomainName", "lemon-domain").inputs).toEqual({
      domainName: "hooks.example.com",
      domainNameConfiguration: {
        certificateArn: CERTIFICATE,
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
        ipAddressType: "dualstack",
      },
      tags: {},
    });
  });

  it("maps the domain's root to the receiver's API and $default stage", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE } });

    // Assess
    expect(resource("aws:apigatewayv2/apiMapping:ApiMapping", "lemon-domain-mapping").inputs).toEqual({
      apiId: "lemon-api-id",
      domainName: "hooks.example.com",
      stage: "$default",
    });
  });

  it("creates A and AAAA alias records to the domain's regional target in the given zone", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });

    // Assess
    for (const type of ["A", "AAAA"]) {
      expect(resource("aws:route53/record:Record", `lemon-domain-${type.toLowerCase()}`).inputs).toEqual({
        zoneId: ZONE,
        name: "hooks.example.com",
        type,
        aliases: [
          {
            name: `d-lemon-domain.execute-api.${REGION}.amazonaws.com`,
            zoneId: API_GATEWAY_ZONE_ID,
            evaluateTargetHealth: false,
          },
        ],
      });
    }
  });

  it("creates no records without a hosted zone", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE } });

    // Assess
    expect(recorded.filter((r) => r.type === "aws:route53/record:Record")).toEqual([]);
  });

  it("warns without a hosted zone that the name must resolve before lemon.markets delivers", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE } });

    // Assess
    expect(warnings().mock.calls.map(([message]) => message)).toContain(
      "domain hooks.example.com has no hostedZoneId, so no DNS record is created: point it at the API Gateway domain's regional target (`aws apigatewayv2 get-domain-name --domain-name hooks.example.com` shows it) before lemon.markets delivers, or set hostedZoneId",
    );
  });

  it("does not warn about DNS with a hosted zone", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });

    // Assess
    expect(warnings().mock.calls.filter(([message]) => String(message).includes("hostedZoneId"))).toEqual([]);
  });

  it("registers the webhook at the custom domain's URL and reports it as endpointUrl", async () => {
    // Act
    const receiver = await build({
      domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE },
      routePath: "/in/lemon",
    });

    // Assess
    expect(resource(REGISTRATION, "lemon-registration").inputs.url).toBe(
      "https://hooks.example.com/in/lemon",
    );
    expect(await promiseOf(receiver.endpointUrl)).toBe("https://hooks.example.com/in/lemon");
  });

  it("registers only once the domain, its mapping and its records exist", async () => {
    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });

    // Assess
    const urns = registeredUrns();
    const urnOf = (name: string) => urns.find((urn) => urn.endsWith(`::${name}`));
    const deps = dependencies.get("lemon-registration") ?? [];
    for (const name of ["lemon-domain", "lemon-domain-mapping", "lemon-domain-a", "lemon-domain-aaaa"]) {
      expect({ name, dependedOn: deps.includes(urnOf(name) ?? "missing") }).toEqual({
        name,
        dependedOn: true,
      });
    }
  });

  it("adds exactly the domain's resources to the graph", async () => {
    // Prepare
    await build();
    const without = graph();
    resetRecords();

    // Act
    await build({ domain: { name: "hooks.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });

    // Assess
    expect(graph()).toEqual(
      [
        ...without,
        "aws:apigatewayv2/domainName:DomainName lemon-domain",
        "aws:apigatewayv2/apiMapping:ApiMapping lemon-domain-mapping",
        "aws:route53/record:Record lemon-domain-a",
        "aws:route53/record:Record lemon-domain-aaaa",
      ].sort(),
    );
  });

  it("without a domain creates no domain, mapping or record and registers the execute-api URL", async () => {
    // Act
    const receiver = await build();

    // Assess
    expect(recorded.filter((r) => DOMAIN_TYPES.includes(r.type))).toEqual([]);
    expect(resource(REGISTRATION, "lemon-registration").inputs.url).toBe(EXECUTE_API_URL);
    expect(await promiseOf(receiver.endpointUrl)).toBe(EXECUTE_API_URL);
  });
});

describe("Component: LemonWebhookReceiver domain validation", () => {
  it.each([
    [
      "https://hooks.example.com",
      '[domain.name] must be a bare hostname without scheme or path (got "https://hooks.example.com"); e.g. "hooks.example.com"',
    ],
    [
      "hooks.example.com/in",
      '[domain.name] must be a bare hostname without scheme or path (got "hooks.example.com/in"); e.g. "hooks.example.com"',
    ],
    [
      "hooks.example.com.",
      '[domain.name] must not end with a dot (got "hooks.example.com."); drop the trailing "."',
    ],
    [
      "Hooks.Example.com",
      '[domain.name] must be lowercase (got "Hooks.Example.com"); use "hooks.example.com"',
    ],
    ["localhost", '[domain.name] must have at least two labels (got "localhost"); e.g. "hooks.example.com"'],
    [
      `${"a".repeat(64)}.example.com`,
      `[domain.name] label "${"a".repeat(20)}…" is 64 characters; a label has at most 63`,
    ],
    [
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`,
      "[domain.name] is 254 characters; a hostname has at most 253",
    ],
    [
      "-hooks.example.com",
      `[domain.name] label "-hooks" must be letters, digits and '-', not starting or ending with '-'`,
    ],
    [
      "hooks_1.example.com",
      `[domain.name] label "hooks_1" must be letters, digits and '-', not starting or ending with '-'`,
    ],
  ])("rejects the name %j before registering anything", (name, message) => {
    // Act
    const act = () => receiverOf({ domain: { name, certificateArn: CERTIFICATE } });

    // Assess
    expect(act).toThrow(message);
    expect(recorded).toEqual([]);
  });

  it("accepts a 253-character name of 63-character labels", () => {
    // Act
    const problem = hostnameProblem(
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`,
    );

    // Assess
    expect(problem).toBeUndefined();
  });

  it("rejects a certificate ARN that is not ACM's", () => {
    // Act
    const act = () =>
      receiverOf({
        domain: {
          name: "hooks.example.com",
          certificateArn: `arn:aws:iam::${ACCOUNT}:server-certificate/hooks`,
        },
      });

    // Assess
    expect(act).toThrow(
      `[domain.certificateArn] must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id> (got "arn:aws:iam::${ACCOUNT}:server-certificate/hooks")`,
    );
    expect(recorded).toEqual([]);
  });

  it("rejects a certificate outside the receiver's region when aws:region names it", () => {
    // Prepare
    pulumi.runtime.setAllConfig({ "aws:region": REGION });
    const usEast = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

    // Act
    const act = () => receiverOf({ domain: { name: "hooks.example.com", certificateArn: usEast } });

    // Assess
    expect(act).toThrow(
      `[domain.certificateArn] is in us-east-1 but the receiver is in ${REGION}: a regional API Gateway domain needs a certificate in its own region; request or import one in ${REGION} with ACM`,
    );
    expect(recorded).toEqual([]);
  });

  it("rejects a missing certificate, naming the domain", () => {
    // Act
    const act = () =>
      receiverOf({ domain: { name: "hooks.example.com" } as unknown as NonNullable<ReceiverArgs["domain"]> });

    // Assess
    expect(act).toThrow(
      "[domain.certificateArn] is required: the ARN of an ACM certificate for hooks.example.com in the receiver's region",
    );
  });

  it("checks the certificate's region against the deployed one when the region is known only then", () => {
    // Act
    const problems = [
      certificateProblem(CERTIFICATE, REGION),
      certificateProblem(`arn:aws:acm:us-east-1:${ACCOUNT}:certificate/abc`, REGION),
      certificateProblem(`arn:aws:acm:us-east-1:${ACCOUNT}:certificate/abc`, undefined),
    ];

    // Assess
    expect(problems).toEqual([
      undefined,
      `is in us-east-1 but the receiver is in ${REGION}: a regional API Gateway domain needs a certificate in its own region; request or import one in ${REGION} with ACM`,
      undefined,
    ]);
  });
});
