/**
 * Secret hygiene of the component under Pulumi mocks, built as the stack program builds it: the receiver WITH
 * its reconciler (the one part that holds the lemon.markets API key), a known API key (stack config, secret)
 * and a known signature secret (returned by the mocked registration). Every resource input, the serialized
 * provider, every Lambda's environment and everything printed while the program ran are swept; a secret may
 * appear only inside values flagged secret, and only the reconciler's policy may name the API key's secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../components";
import { RECONCILER_ENV_NAMES } from "../../contract/reconciler-env-names";
import {
  fakeBundleDir,
  installMocks,
  isSecretInput,
  KNOWN_API_KEY,
  KNOWN_SIGNATURE_SECRET,
  promiseOf,
  type RecordedResource,
  recorded,
  setStackConfig,
  settle,
  withoutSecrets,
} from "../support/pulumi-mocks";
import { leaks } from "../support/reliability/sweep";

const FUNCTION = "aws:lambda/function:Function";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SECRETS = { apiKey: KNOWN_API_KEY, signatureSecret: KNOWN_SIGNATURE_SECRET };

const label = ({ type, name }: RecordedResource) => `${type} ${name}`;

/** True when `value` holds a secret-flagged value anywhere inside it. */
function holdsSecretInput(value: unknown): boolean {
  if (isSecretInput(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(holdsSecretInput);
}

describe("Reliability: secrets in the resources of a receiver with its reconciler", () => {
  const printed: string[] = [];
  let apiKeySecretArn: string;
  let signatureSecretArn: string;

  beforeAll(async () => {
    setStackConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
    await installMocks();
    // Installing the mocks resets the runtime's config: put the stack config back, as the CLI hands it over.
    pulumi.runtime.setAllConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        return true;
      }),
    );
    try {
      const receiver = new LemonWebhookReceiver("lemon", {
        events: ["order.executed", "account.created"],
        lambdaBundleDir: fakeBundleDir(),
        // On in the stack program (index.ts); the API key comes from the stack config secret.
        reconciler: { lambdaBundleDir: fakeBundleDir() },
      });
      receiver.subscribe("orders", {
        eventTypes: ["order.executed"],
        target: { arn: "arn:aws:sqs:eu-central-1:123456789012:orders" },
      });
      if (receiver.reconciler === undefined) throw new Error("the reconciler was not built");
      [apiKeySecretArn, signatureSecretArn] = await Promise.all([
        promiseOf(receiver.reconciler.apiKeySecretArn),
        promiseOf(receiver.secretArn),
      ]);
      await settle();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it("shows neither secret in any input outside secret-flagged values, nor in anything printed", () => {
    // Prepare
    const captures: Record<string, string> = { "printed output": printed.join("") };
    for (const resource of recorded)
      captures[label(resource)] = JSON.stringify(withoutSecrets(resource.inputs));

    // Act
    const found = leaks(captures, SECRETS);

    // Assess
    expect(recorded.filter(({ type }) => type === "lemon-webhooks:index:Reconciler")).toHaveLength(1);
    expect(found).toEqual([]);
  });

  it("holds the API key in exactly one secret version and the signature secret in exactly one, both flagged secret", () => {
    // Act
    const holdersOf = (secret: string) =>
      recorded.filter(({ inputs }) => leaks({ inputs: JSON.stringify(inputs) }, { secret }).length > 0);
    const apiKeyHolders = holdersOf(KNOWN_API_KEY);
    const signatureHolders = holdersOf(KNOWN_SIGNATURE_SECRET);

    // Assess
    expect(apiKeyHolders.map(label)).toEqual([`${SECRET_VERSION} lemon-api-key-value`]);
    expect(isSecretInput(apiKeyHolders[0]?.inputs.secretString)).toBe(true);
    expect(signatureHolders.map(label)).toEqual([`${SECRET_VERSION} lemon-signature-secret-value`]);
    expect(isSecretInput(signatureHolders[0]?.inputs.secretString)).toBe(true);
    expect(
      recorded
        .filter(({ type }) => type === SECRET_VERSION)
        .map(({ name }) => name)
        .sort(),
    ).toEqual(["lemon-api-key-value", "lemon-signature-secret-value"]);
  });

  it("gives every Lambda an environment of secret ARNs, never a secret value nor a secret-flagged input", () => {
    // Prepare
    const functions = recorded.filter(({ type }) => type === FUNCTION);
    const environments = Object.fromEntries(
      functions.map(({ name, inputs }) => [
        name,
        (inputs.environment as { variables: Record<string, unknown> }).variables,
      ]),
    );

    // Act
    const found = leaks(
      Object.fromEntries(Object.entries(environments).map(([name, vars]) => [name, JSON.stringify(vars)])),
      SECRETS,
    );

    // Assess
    expect(Object.keys(environments).sort()).toEqual([
      "lemon-forwarder",
      "lemon-receiver",
      "lemon-reconciler",
    ]);
    expect(found).toEqual([]);
    expect(Object.values(environments).filter(holdsSecretInput)).toEqual([]);
    expect(environments["lemon-receiver"]?.LEMON_SIGNATURE_SECRET_ARN).toBe(signatureSecretArn);
    expect(environments["lemon-reconciler"]?.[RECONCILER_ENV_NAMES.apiKeySecretArn]).toBe(apiKeySecretArn);
    // The forwarder verifies nothing and calls no API: it gets no secret's ARN at all.
    expect(JSON.stringify(environments["lemon-forwarder"])).not.toMatch(/secretsmanager|SECRET/);
  });

  it("names the API key's secret in the reconciler's policy and function only, no other policy", () => {
    // Act
    const referencing = recorded.filter(({ inputs }) => JSON.stringify(inputs).includes(apiKeySecretArn));

    // Assess
    expect(apiKeySecretArn).toMatch(/lemon-api-key/);
    expect(apiKeySecretArn).not.toBe(signatureSecretArn);
    expect(referencing.map(label).sort()).toEqual([
      "aws:iam/rolePolicy:RolePolicy lemon-reconciler-policy",
      `${FUNCTION} lemon-reconciler`,
    ]);
    expect(recorded.filter(({ type }) => type.startsWith("aws:iam/")).length).toBeGreaterThan(2);
  });

  it("serializes a registration provider that carries neither secret", () => {
    // Prepare
    const registrations = recorded.filter(({ type }) => type.startsWith("pulumi-nodejs:dynamic"));
    const provider = String(registrations[0]?.inputs.__provider ?? "");

    // Assess
    expect(registrations).toHaveLength(1);
    expect(provider.length).toBeGreaterThan(1_000);
    expect(leaks({ provider }, SECRETS)).toEqual([]);
  });
});
