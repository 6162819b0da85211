/**
 * The provider object called directly in the program's process — how `npm start` (the sandbox) runs
 * check → create → read → delete through the same code the provider host runs.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  API_KEY_CONFIG_KEY,
  InvalidInputsError,
  MissingApiKeyError,
  resolveApiKey,
  sharedProvider,
  WebhookRegistrationProvider,
} from "../../../components/registration";
import { type Emulator, startEmulator } from "../../../emulator";

const KEY = "lmk_in_process_key_4411";

/** A stack config as the provider host builds it: `namespace:key` → decrypted value. */
function stackConfig(values: Record<string, string>): pulumi.dynamic.Config {
  return {
    get: (key) => values[key],
    require: (key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
      return value;
    },
  };
}

describe("Class: WebhookRegistrationProvider (in process)", () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [KEY] });
  });

  afterAll(async () => {
    await emu.close();
  });

  it("runs check → create → read → delete against the emulator", async () => {
    // Prepare
    const provider = new WebhookRegistrationProvider(sharedProvider().location);
    await provider.configure({ config: stackConfig({ [API_KEY_CONFIG_KEY]: KEY }) });

    // Act
    const { inputs } = await provider.check(
      {},
      { url: "http://127.0.0.1:9/hook", events: ["account.created"], apiBaseUrl: emu.baseUrl },
    );
    const created = await provider.create(inputs ?? {});
    const read = await provider.read(created.id, created.outs);
    const afterCreate = emu.webhooks().map((webhook) => webhook.id);
    await provider.delete(created.id, created.outs ?? ({} as never));

    // Assess
    expect(afterCreate).toEqual([created.id]);
    expect(read.props).toEqual(created.outs);
    expect(emu.webhooks()).toEqual([]);
  });

  it("keeps each instance's config to itself (nothing is stored on the instance)", async () => {
    // Prepare
    const configured = new WebhookRegistrationProvider(sharedProvider().location);
    const unconfigured = new WebhookRegistrationProvider(sharedProvider().location);
    await configured.configure({ config: stackConfig({ [API_KEY_CONFIG_KEY]: KEY }) });
    const inputs = { url: "http://127.0.0.1:9/hook", events: ["account.created"], apiBaseUrl: emu.baseUrl };

    // Act
    const failure = unconfigured.create((await unconfigured.check({}, inputs)).inputs ?? {});

    // Assess
    await expect(failure).rejects.toBeInstanceOf(MissingApiKeyError);
    expect(JSON.stringify(configured)).toBe(JSON.stringify({ location: sharedProvider().location }));
  });

  it("refuses unchecked invalid inputs on create with every reason", async () => {
    // Prepare
    const provider = new WebhookRegistrationProvider(sharedProvider().location);
    await provider.configure({ config: stackConfig({ [API_KEY_CONFIG_KEY]: KEY }) });

    // Act
    const failure = provider.create({ url: "http://example.com", events: [] });

    // Assess
    await expect(failure).rejects.toBeInstanceOf(InvalidInputsError);
    await expect(failure).rejects.toThrow(
      'WebhookRegistration inputs are invalid: url must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1]), e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/lemon; events must contain at least one event type, e.g. ["account.created", "order.executed"]',
    );
  });
});

describe("Method: update (in process)", () => {
  const olds = {
    url: "https://hooks.example.com/lemon",
    events: ["account.created"],
    apiBaseUrl: "https://sandbox.api.lemon.markets/v1",
    deleteBeforeReplace: false,
    webhookId: "wbh_1",
    signatureSecret: "s3cr3t",
  };
  const news = { url: olds.url, events: olds.events, privacyJustification: "CHG-9" };

  it("keeps id and secret from state and takes the state-only inputs from the new inputs", async () => {
    // Act
    const { outs } = await sharedProvider().update("wbh_1", olds, news);

    // Assess
    expect(outs).toEqual({ ...olds, privacyJustification: "CHG-9" });
  });

  it("refuses to invent a secret missing from damaged state, pointing at refresh", async () => {
    // Prepare
    const { signatureSecret: _secret, ...damaged } = olds;

    // Act
    const failure = sharedProvider().update("wbh_1", damaged as typeof olds, news);

    // Assess
    await expect(failure).rejects.toThrow(
      "WebhookRegistration state has no signatureSecret: run `pulumi refresh` to read it back",
    );
  });
});

describe("Function: resolveApiKey", () => {
  it.each([
    [
      "config wins over env",
      { [API_KEY_CONFIG_KEY]: "from-config" },
      { LEMON_MARKETS_API_KEY: "from-env" },
      "from-config",
    ],
    ["env when config has none", {}, { LEMON_MARKETS_API_KEY: "from-env" }, "from-env"],
    [
      "env when config is blank",
      { [API_KEY_CONFIG_KEY]: "  " },
      { LEMON_MARKETS_API_KEY: "from-env" },
      "from-env",
    ],
  ])("takes the key from %s", (_label, config, env, expected) => {
    expect(resolveApiKey(stackConfig(config), "create", env)).toBe(expected);
  });

  it("throws naming the config command when neither is set", () => {
    expect(() => resolveApiKey(undefined, "destroy", { LEMON_MARKETS_API_KEY: "" })).toThrow(
      "lemon.markets API key missing for WebhookRegistration destroy: run `pulumi config set --secret lemonmarkets:apiKey <key>` (or set LEMON_MARKETS_API_KEY in the environment)",
    );
  });
});
