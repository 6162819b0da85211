/**
 * A consumer's Pulumi program in plain JavaScript, run with plain `node` from an app that installed
 * lemon-webhooks (tests/support/install.ts). Pulumi mocks stand in for the engine; the stack config (the API
 * key as a secret) comes in `PULUMI_CONFIG` / `PULUMI_CONFIG_SECRET_KEYS` as the Pulumi CLI passes it. It prints
 * one JSON line: the resources it created, which of their inputs arrived as secrets, where the API key shows
 * outside a secret, each Lambda's code directory, the path `lemon-webhooks` resolved to, and the registration
 * provider's operations as the provider host would load them from the same directory.
 */
const pulumi = require("@pulumi/pulumi");

const created = [];
const secretInputs = [];
const apiKeyInPlaintext = [];
const lambdaCode = {};
const apiKey = JSON.parse(process.env.PULUMI_CONFIG ?? "{}")["lemonmarkets:apiKey"];

// The wire format of a secret (and of an asset) in mocked inputs (pulumi's rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (value) => typeof value === "object" && value !== null && value[SIG_KEY] === SECRET_SIG;

/** `value` with every secret replaced by "[secret]": what is visible without decrypting. */
function withoutSecrets(value) {
  if (isSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}

function record(type, name, inputs) {
  const label = `${type} ${name}`;
  created.push({ type, name });
  for (const [key, value] of Object.entries(inputs))
    if (isSecret(value)) secretInputs.push(`${label} ${key}`);
  if (typeof apiKey === "string" && JSON.stringify(withoutSecrets(inputs)).includes(apiKey)) {
    apiKeyInPlaintext.push(label);
  }
  // The mocks hand the code over as a deserialized FileArchive, whose path is a promise.
  if (type === "aws:lambda/function:Function") {
    Promise.resolve(inputs.code?.path).then((path) => {
      lambdaCode[name] = path;
    });
  }
}

/** Just enough AWS-like state for the component's `apply`s (the stage's invoke URL, names and ARNs). */
function mockState(name, inputs) {
  const physical = typeof inputs.name === "string" ? inputs.name : `${name}-0a1b2c3`;
  const arn = `arn:aws:mock:eu-central-1:123456789012:${physical}`;
  return {
    ...inputs,
    name: physical,
    arn,
    executionArn: arn,
    invokeUrl: `https://${name}.example/`,
  };
}

async function main() {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        record(args.type, args.name, args.inputs);
        return { id: `${args.name}-id`, state: mockState(args.name, args.inputs) };
      },
      call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "consumer-stack",
    "dev",
    false,
  );
  // Required only after the mocks are in place, as a Pulumi program's imports run after the engine connects.
  const { LemonWebhookReceiver, sharedProvider } = require("lemon-webhooks");
  // The reconciler reads the API key from the stack config secret and its bundle from the installed package.
  const receiver = new LemonWebhookReceiver("shop", {
    events: ["order.executed", "order.rejected"],
    reconciler: true,
  });
  receiver.subscribe("audit", {
    eventTypes: ["order.rejected"],
    target: { arn: "arn:aws:sqs:eu-central-1:123456789012:audit" },
  });
  const operations = sharedProvider().operations();
  process.once("beforeExit", () => {
    const loaded = Object.keys(require.cache);
    const result = {
      resolved: require.resolve("lemon-webhooks"),
      resources: created,
      secretInputs,
      apiKeyInPlaintext,
      lambdaCode,
      operations: Object.keys(operations).sort(),
      operationsFiles: loaded.filter((file) =>
        file.includes(`registration${require("node:path").sep}operations`),
      ),
      typescriptLoaded: loaded.filter((file) => file.endsWith(".ts")),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
