/**
 * The sandbox with a chosen signature scheme (issue 14): the emulator signs and the real receiver bundle
 * verifies with it; with the emulator on another scheme, deliveries are 401 and the bundle's probe names it.
 */
import { ENV_NAMES } from "../../contract/env-names";
import { SIGNATURE_PRESETS } from "../../contract/signature-presets";
import { parseSandboxArgs, type Sandbox, startSandbox, UsageError } from "../../sandbox";

const ACCOUNT = { account: "cusa_33531f7f801d4ce997747470ab7208fd" };

describe("Sandbox: signature scheme", () => {
  let sandbox: Sandbox | undefined;

  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it("runs the guide's delivery end to end with stripe-like on both sides", async () => {
    // Prepare
    sandbox = await startSandbox({
      signatureScheme: "stripe-like",
      delivery: { maxAttempts: 2, duplicateRate: 0 },
    });

    // Act
    sandbox.emulator.emit("account.created", ACCOUNT);
    await sandbox.emulator.waitForDeliveries();
    await sandbox.streamIdle();

    // Assess
    expect(sandbox.lambda.environment[ENV_NAMES.signatureScheme]).toBe("stripe-like");
    expect(sandbox.emulator.signatureScheme).toEqual(SIGNATURE_PRESETS["stripe-like"]);
    expect(sandbox.emulator.deliveries.map((d) => d.status)).toEqual([200]);
    expect(sandbox.forwarded()).toHaveLength(1);
  });

  it("answers 401 when the emulator signs with hex-key, and the bundle's probe names hex-key", async () => {
    // Prepare
    sandbox = await startSandbox({
      signatureScheme: "lemon-default",
      emulatorSignatureScheme: "hex-key",
      delivery: { maxAttempts: 2, duplicateRate: 0 },
    });

    // Act
    sandbox.emulator.emit("account.created", ACCOUNT);
    await sandbox.emulator.waitForDeliveries();

    // Assess
    expect(sandbox.emulator.deliveries.map((d) => d.status)).toEqual([401, 401]);
    expect(
      sandbox.lambda.lines
        .filter((line) => line.msg === "signature_scheme_probe")
        .map(({ matchedPreset, configCommand }) => ({ matchedPreset, configCommand })),
    ).toEqual([
      { matchedPreset: "hex-key", configCommand: "pulumi config set lemon-webhooks:signatureScheme hex-key" },
      { matchedPreset: "hex-key", configCommand: "pulumi config set lemon-webhooks:signatureScheme hex-key" },
    ]);
    expect(sandbox.forwarded()).toEqual([]);
  });
});

describe("Flag: npm start -- --signature-scheme", () => {
  it("parses a preset, and names the flag for a bad one", () => {
    expect(parseSandboxArgs(["--signature-scheme", "hex-key"]).signatureScheme).toBe(
      SIGNATURE_PRESETS["hex-key"],
    );
    expect(parseSandboxArgs(["--signature-scheme=sha512"]).signatureScheme).toBe(SIGNATURE_PRESETS.sha512);
    expect(() => parseSandboxArgs(["--signature-scheme", "md5"])).toThrow(UsageError);
    expect(() => parseSandboxArgs(["--signature-scheme", "md5"])).toThrow(
      '[--signature-scheme] unknown signature scheme preset "md5"',
    );
    expect(() => parseSandboxArgs(["--signature-scheme"])).toThrow("--signature-scheme needs a value");
  });
});
