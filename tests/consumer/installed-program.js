/**
 * A consumer's Pulumi program in plain JavaScript, run with plain `node` from an app that installed
 * lemon-webhooks (tests/consumer/install.ts). Pulumi mocks stand in for the engine. It prints one JSON line:
 * the resources it created, the path `lemon-webhooks` resolved to, and the registration provider's operations
 * as the provider host would load them from the same directory.
 */
const pulumi = require("@pulumi/pulumi");

const created = [];

/** Just enough AWS-like state for the component's `apply`s (the stage's invoke URL, names and ARNs). */
function mockState(name, inputs) {
  const physical = typeof inputs.name === "string" ? inputs.name : `${name}-0a1b2c3`;
  const arn = `arn:aws:mock:eu-central-1:123456789012:${physical}`;
  return {
    ...inputs,
    name: physical,
    arn,
    awsId: arn,
    executionArn: arn,
    invokeUrl: `https://${name}.example/`,
  };
}

async function main() {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push({ type: args.type, name: args.name });
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
  const receiver = new LemonWebhookReceiver("shop", { events: ["order.executed", "order.rejected"] });
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
