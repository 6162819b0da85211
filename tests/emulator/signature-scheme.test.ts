import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator";
import { parseCliArgs } from "../../emulator/cli-args";
import { DEFAULT_SIGNATURE_SCHEME, verifyRequest } from "../../contract/signature";
import {
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  SignatureSchemeError,
} from "../../contract/signature-presets";
import { probeSignatureScheme } from "../../lambda/receiver/signature-probe";
import { API_KEY, type Receiver, register, startReceiver } from "../support/emulator";

const ACCOUNT = { account: "cusa_33531f7f801d4ce997747470ab7208fd" };

describe("Emulator: signature scheme", () => {
  const started: { close(): Promise<void> }[] = [];

  async function setUp(signatureScheme?: EmulatorOptions["signatureScheme"]) {
    const emu: Emulator = await startEmulator({ apiKeys: [API_KEY], signatureScheme });
    const hook: Receiver = await startReceiver();
    started.push(emu, hook);
    const webhook = await register(emu, hook.url, ["account.created"]);
    return { emu, hook, webhook };
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((instance) => instance.close()));
  });

  it("signs with lemon-default when no scheme is given", async () => {
    const { emu, hook, webhook } = await setUp();
    emu.emit("account.created", ACCOUNT);
    await emu.waitForDeliveries();

    expect(emu.signatureScheme).toEqual(DEFAULT_SIGNATURE_SCHEME);
    const [delivery] = hook.received;
    expect(Object.keys(delivery!.headers).filter((name) => /signature|webhook-/.test(name))).toEqual([
      "lemon-markets-signature",
    ]);
    const request = { body: delivery!.rawBody, headers: delivery!.headers as Record<string, string> };
    expect(verifyRequest(request, [webhook.signature_secret], DEFAULT_SIGNATURE_SCHEME)).toBe(true);
  });

  it.each(SIGNATURE_PRESET_NAMES)(
    "signs deliveries with the preset %s, which the probe names from any other",
    async (name) => {
      // Prepare
      const { emu, hook, webhook } = await setUp(name);

      // Act
      emu.emit("account.created", ACCOUNT);
      await emu.waitForDeliveries();

      // Assess
      const [delivery] = hook.received;
      const request = { body: delivery!.rawBody, headers: delivery!.headers as Record<string, string> };
      const accepted = SIGNATURE_PRESET_NAMES.filter((preset) =>
        verifyRequest(request, [webhook.signature_secret], SIGNATURE_PRESETS[preset]),
      );
      expect(accepted).toEqual([name]);
      const other = name === "lemon-default" ? SIGNATURE_PRESETS["hex-key"] : DEFAULT_SIGNATURE_SCHEME;
      expect(probeSignatureScheme(request, [webhook.signature_secret], other, { nowMs: Date.now() })).toBe(
        name,
      );
    },
  );

  it("takes a JSON object with overrides, and uses the event id as the Standard Webhooks message id", async () => {
    const { emu, hook } = await setUp('{"preset":"standard-webhooks","idHeader":"x-message-id"}');
    const event = emu.emit("account.created", ACCOUNT);
    await emu.waitForDeliveries();
    expect(hook.received[0]!.headers["x-message-id"]).toBe(event.id);
    expect(hook.received[0]!.headers["webhook-id"]).toBeUndefined();
  });

  it("rejects a bad scheme before starting, naming the field", async () => {
    await expect(startEmulator({ signatureScheme: '{"encoding":"hexadecimal"}' })).rejects.toThrow(
      '[signatureScheme.encoding] must be hex or base64 (got "hexadecimal")',
    );
    await expect(startEmulator({ signatureScheme: "nope" })).rejects.toThrow(SignatureSchemeError);
  });
});

describe("Flag: --signature-scheme", () => {
  it("parses a preset or a JSON object into the emulator options", () => {
    expect(parseCliArgs(["--signature-scheme", "stripe-like"]).emulator.signatureScheme).toBe(
      SIGNATURE_PRESETS["stripe-like"],
    );
    expect(parseCliArgs(["--signature-scheme", '{"encoding":"base64"}']).emulator.signatureScheme).toEqual(
      SIGNATURE_PRESETS["base64-digest"],
    );
  });

  it("names the flag in its error", () => {
    expect(() => parseCliArgs(["--signature-scheme", '{"algorithm":"md5"}'])).toThrow(
      '[--signature-scheme.algorithm] must be sha256 or sha512 (got "md5")',
    );
  });
});
