/**
 * Secret hygiene of the component under Pulumi mocks, with a known API key (stack config, secret) and a
 * known signature secret (returned by the mocked registration): every resource input, the serialized
 * provider, the Lambda environment and everything printed while the program ran are swept; the secret may
 * appear only inside values flagged secret.
 */
import { LemonWebhookReceiver } from "../../components";
import {
  fakeBundleDir,
  installMocks,
  isSecretInput,
  KNOWN_API_KEY,
  KNOWN_SIGNATURE_SECRET,
  recorded,
  setStackConfig,
  settle,
  withoutSecrets,
} from "../component/harness";
import { leaks } from "./support/sweep";

describe("Reliability: secrets in the component's resources", () => {
  const printed: string[] = [];

  beforeAll(async () => {
    setStackConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
    await installMocks();
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
      });
      receiver.subscribe("orders", {
        eventTypes: ["order.executed"],
        target: { arn: "arn:aws:sqs:eu-central-1:123456789012:orders" },
      });
      await settle();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it("shows neither secret in any input outside secret-flagged values, nor in anything printed", () => {
    // Prepare
    const captures: Record<string, string> = { "printed output": printed.join("") };
    for (const { type, name, inputs } of recorded) {
      captures[`${type} ${name}`] = JSON.stringify(withoutSecrets(inputs));
    }

    // Act
    const found = leaks(captures, { apiKey: KNOWN_API_KEY, signatureSecret: KNOWN_SIGNATURE_SECRET });

    // Assess
    expect(recorded.length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });

  it("flags the signature secret as secret wherever it is an input, and only the secret version holds it", () => {
    // Act
    const holders = recorded.filter(({ inputs }) => JSON.stringify(inputs).includes(KNOWN_SIGNATURE_SECRET));

    // Assess
    expect(holders.map(({ type }) => type)).toEqual(["aws:secretsmanager/secretVersion:SecretVersion"]);
    expect(isSecretInput(holders[0]?.inputs.secretString)).toBe(true);
  });

  it("serializes a provider and a Lambda environment that carry references, never values", () => {
    // Prepare
    const registration = recorded.find(({ type }) => type.startsWith("pulumi-nodejs:dynamic"));
    const lambda = recorded.find(({ type }) => type === "aws:lambda/function:Function");
    const provider = String(registration?.inputs.__provider ?? "");
    const environment = JSON.stringify(lambda?.inputs.environment ?? {});

    // Assess
    expect(provider.length).toBeGreaterThan(1_000);
    expect(
      leaks({ provider, environment }, { apiKey: KNOWN_API_KEY, signatureSecret: KNOWN_SIGNATURE_SECRET }),
    ).toEqual([]);
    expect(environment).toContain("LEMON_SIGNATURE_SECRET_ARN");
  });
});
