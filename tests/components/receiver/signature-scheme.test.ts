/**
 * The signature scheme as component argument and stack config (issue 14): validated up front, naming the
 * field; it reaches the receiver Lambda as a non-secret environment variable, and changing it changes
 * nothing else in the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../../components";
import { receiverArgsFromConfig } from "../../../components/stack-config";
import { SIGNATURE_PRESETS } from "../../../contract/signature-presets";
import {
  fakeBundleDir,
  installMocks,
  type RecordedResource,
  recorded,
  resetRecords,
  resource,
  settle,
  withoutSecrets,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const FUNCTION = "aws:lambda/function:Function";

beforeAll(async () => {
  await installMocks(true);
});

beforeEach(() => {
  resetRecords();
});

async function build(args: Partial<ConstructorParameters<typeof LemonWebhookReceiver>[1]> = {}) {
  const receiver = new LemonWebhookReceiver("lemon", {
    events: ["order.executed", "account.created"],
    lambdaBundleDir: BUNDLE,
    forwarderBundleDir: BUNDLE,
    ...args,
  });
  await settle();
  return receiver;
}

/** Every recorded resource's inputs by `type::name`, secrets masked (what a preview diff compares). */
async function snapshot(args: Partial<ConstructorParameters<typeof LemonWebhookReceiver>[1]>) {
  resetRecords();
  const receiver = await build(args);
  const byResource = new Map<string, string>(
    recorded.map((r: RecordedResource) => [`${r.type}::${r.name}`, JSON.stringify(withoutSecrets(r.inputs))]),
  );
  return { receiver, byResource };
}

function environmentOf(): Record<string, unknown> {
  return (resource(FUNCTION, "lemon-receiver").inputs.environment as { variables: Record<string, unknown> })
    .variables;
}

describe("Component: LemonWebhookReceiver signatureScheme", () => {
  it("is part of the public API: the presets and the parser are exported by name", async () => {
    const api = await import("../../../components");
    expect(api.SIGNATURE_PRESET_NAMES).toEqual(Object.keys(SIGNATURE_PRESETS));
    expect(api.parseSignatureScheme("hex-key")).toBe(SIGNATURE_PRESETS["hex-key"]);
    expect(api.formatSignatureScheme(SIGNATURE_PRESETS.sha512)).toBe("sha512");
    expect(() => api.parseSignatureScheme("x")).toThrow(api.SignatureSchemeError);
  });

  it("defaults to lemon-default in the receiver's environment, and exposes it", async () => {
    const receiver = await build();
    expect(environmentOf().LEMON_SIGNATURE_SCHEME).toBe("lemon-default");
    expect(receiver.signatureScheme).toBe("lemon-default");
  });

  it.each([
    ["a preset name", "hex-key", "hex-key"],
    ["a preset as an object", { preset: "standard-webhooks" }, "standard-webhooks"],
    [
      "a custom JSON object",
      '{"preset":"stripe-like","toleranceSeconds":600}',
      '{"headerName":"Lemon-Markets-Signature","algorithm":"sha256","encoding":"hex","keyEncoding":"utf8","prefixes":["v1="],"signed":"timestamp.body","toleranceSeconds":600}',
    ],
  ])(
    "passes %s to the receiver as a plain (non-secret) variable",
    async (_label, signatureScheme, expected) => {
      // Act
      const receiver = await build({ signatureScheme });

      // Assess
      expect(environmentOf().LEMON_SIGNATURE_SCHEME).toBe(expected);
      expect(receiver.signatureScheme).toBe(expected);
    },
  );

  it("changes only the receiver Lambda's environment, and only that one variable (preview under mocks)", async () => {
    // Prepare
    const before = await snapshot({});

    // Act
    const after = await snapshot({ signatureScheme: "hex-key" });

    // Assess: the same resources; exactly one differs in its inputs, by exactly one variable
    expect([...after.byResource.keys()].sort()).toEqual([...before.byResource.keys()].sort());
    const changed = [...after.byResource.keys()].filter(
      (key) => after.byResource.get(key) !== before.byResource.get(key),
    );
    expect(changed).toEqual([`${FUNCTION}::lemon-receiver`]);
    const variables = (key: string, side: typeof before) =>
      (JSON.parse(side.byResource.get(key)!) as { environment: { variables: Record<string, string> } })
        .environment.variables;
    const old = variables(changed[0]!, before);
    const now = variables(changed[0]!, after);
    expect(Object.keys(now).filter((name) => now[name] !== old[name])).toEqual(["LEMON_SIGNATURE_SCHEME"]);
    expect([old.LEMON_SIGNATURE_SCHEME, now.LEMON_SIGNATURE_SCHEME]).toEqual(["lemon-default", "hex-key"]);
  });

  it.each([
    ['{"encoding":"hexa"}', '[signatureScheme.encoding] must be hex or base64 (got "hexa")'],
    ["hmac-sha1", '[signatureScheme] unknown signature scheme preset "hmac-sha1"; use one of lemon-default'],
    [
      { preset: "stripe-like", toleranceSeconds: 0 },
      "[signatureScheme.toleranceSeconds] must be from 1 to 86400 seconds (got 0)",
    ],
  ])("rejects %j before any resource exists, naming the field", async (signatureScheme, message) => {
    expect(
      () =>
        new LemonWebhookReceiver("lemon", {
          events: ["order.executed"],
          lambdaBundleDir: BUNDLE,
          forwarderBundleDir: BUNDLE,
          signatureScheme: signatureScheme as string,
        }),
    ).toThrow(message);
    await settle();
    expect(recorded).toEqual([]);
  });
});

describe("Stack config: lemon-webhooks:signatureScheme", () => {
  /** Sets the stack config as the engine would hand it over (every value a string). */
  function setConfig(values: Record<string, string>): void {
    const others = Object.entries(pulumi.runtime.allConfig()).filter(
      ([key]) => !key.startsWith("lemon-webhooks:"),
    );
    pulumi.runtime.setAllConfig({ ...Object.fromEntries(others), ...values });
  }

  it("is read and validated, the error naming the config key", () => {
    setConfig({
      "lemon-webhooks:events": '["order.executed"]',
      "lemon-webhooks:signatureScheme": "stripe-like",
    });
    expect(receiverArgsFromConfig(new pulumi.Config("lemon-webhooks")).signatureScheme).toEqual(
      SIGNATURE_PRESETS["stripe-like"],
    );
    setConfig({
      "lemon-webhooks:events": '["order.executed"]',
      "lemon-webhooks:signatureScheme": '{"algorithm":"md5"}',
    });
    expect(() => receiverArgsFromConfig(new pulumi.Config("lemon-webhooks"))).toThrow(
      '[lemon-webhooks:signatureScheme.algorithm] must be sha256 or sha512 (got "md5")',
    );
  });

  it("leaves the component's default when unset", () => {
    setConfig({ "lemon-webhooks:events": '["order.executed"]' });
    expect(receiverArgsFromConfig(new pulumi.Config("lemon-webhooks")).signatureScheme).toBeUndefined();
  });
});
