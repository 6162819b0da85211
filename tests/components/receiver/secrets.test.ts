import { LemonWebhookReceiver } from "../../../components";
import {
  fakeBundleDir,
  installMocks,
  isSecretInput,
  KNOWN_API_KEY,
  KNOWN_SIGNATURE_SECRET,
  promiseOf,
  recorded,
  resetRecords,
  resource,
  secretInputValue,
  setStackConfig,
  settle,
  withoutSecrets,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();

beforeAll(async () => {
  // The API key is stack config, as `pulumi config set --secret lemonmarkets:apiKey` leaves it.
  setStackConfig({ "lemonmarkets:apiKey": KNOWN_API_KEY }, ["lemonmarkets:apiKey"]);
  await installMocks();
});

beforeEach(() => {
  resetRecords();
});

async function buildWithSubscription(): Promise<LemonWebhookReceiver> {
  const receiver = new LemonWebhookReceiver("lemon", {
    events: ["order.executed"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    alarmEmail: "ops\x40example.com",
  });
  receiver.subscribe("orders", {
    eventTypes: ["order.executed"],
    target: { arn: "arn:aws:sqs:eu-central-1:123456789012:orders" },
  });
  await settle();
  return receiver;
}

describe("Component: LemonWebhookReceiver secrets", () => {
  it("stores the signature secret in Secrets Manager as a Pulumi secret", async () => {
    // Act
    await buildWithSubscription();

    // Assess
    const { secretString } = resource(
      "aws:secretsmanager/secretVersion:SecretVersion",
      "lemon-signature-secret-value",
    ).inputs;
    expect(isSecretInput(secretString)).toBe(true);
    expect(secretInputValue(secretString)).toBe(KNOWN_SIGNATURE_SECRET);
  });

  it("keeps the signature secret and the API key out of every other input, the provider code included", async () => {
    // Act
    await buildWithSubscription();

    // Assess
    expect(recorded).toHaveLength(37);
    for (const { type, name, inputs } of recorded) {
      const visible = JSON.stringify(withoutSecrets(inputs));
      expect({ type, name, leaksSecret: visible.includes(KNOWN_SIGNATURE_SECRET) }).toEqual({
        type,
        name,
        leaksSecret: false,
      });
      expect({ type, name, leaksKey: visible.includes(KNOWN_API_KEY) }).toEqual({
        type,
        name,
        leaksKey: false,
      });
    }
    // The sweep is not vacuous: the secret does reach the one resource meant to hold it.
    expect(JSON.stringify(recorded.map((r) => r.inputs))).toContain(KNOWN_SIGNATURE_SECRET);
  });

  it("does not put the signature secret among the component's outputs", async () => {
    // Act
    const receiver = await buildWithSubscription();

    // Assess
    const outputs = await Promise.all(
      [
        receiver.endpointUrl,
        receiver.webhookId,
        receiver.secretArn,
        receiver.eventBusName,
        receiver.eventBusArn,
        receiver.dedupeTableName,
      ].map((output) => promiseOf(output)),
    );
    expect(outputs.filter((value) => String(value).includes(KNOWN_SIGNATURE_SECRET))).toEqual([]);
  });

  it("never puts a secret-marked value into the Lambda environment", async () => {
    // Act
    await buildWithSubscription();

    // Assess
    const { environment } = resource("aws:lambda/function:Function", "lemon-receiver").inputs;
    expect(JSON.stringify(environment)).toBe(JSON.stringify(withoutSecrets(environment)));
  });
});
