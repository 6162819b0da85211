/**
 * The receiver with a configured signature scheme and the probe (issue 14): it verifies with the configured
 * scheme; a delivery that verifies only under another preset is still a 401, plus one log line and one
 * metric naming that preset and the config command. Forgeries never produce a probe line.
 */
import fc from "fast-check";
import type { ReceiveRequest } from "../../../lambda/receiver/receive";
import { signHeaders } from "../../../contract/signature";
import {
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  type SignaturePresetName,
} from "../../../contract/signature-presets";
import { BODY, EVENT, SECRET } from "../../support/events";
import { MemorySecretSource, T0, testReceiver } from "../../support/ports";

const CONFIG = { maxBodyBytes: 65_536, secretCacheSeconds: 300, rotationGraceSeconds: 86_400 };

function configuredFor(preset: SignaturePresetName) {
  return testReceiver(SECRET, { config: { ...CONFIG, signatureScheme: SIGNATURE_PRESETS[preset] } });
}

/** A delivery signed under `preset` at T0, header names lower-cased as API Gateway delivers them. */
function deliveryUnder(preset: SignaturePresetName, secret = SECRET, body = BODY): ReceiveRequest {
  const headers = Object.fromEntries(
    Object.entries(signHeaders(body, secret, SIGNATURE_PRESETS[preset], { nowMs: T0, id: EVENT.id })).map(
      ([name, value]) => [name.toLowerCase(), value],
    ),
  );
  return { method: "POST", headers, body, isBase64Encoded: false, requestId: "req-1" };
}

const PAIRS = SIGNATURE_PRESET_NAMES.flatMap((configured) =>
  SIGNATURE_PRESET_NAMES.filter((signer) => signer !== configured).map(
    (signer) => [signer, configured] as const,
  ),
);

describe("Function: createReceiver — configured signature scheme", () => {
  it.each(SIGNATURE_PRESET_NAMES)(
    "stores a delivery signed under its configured scheme %s, no probe line",
    async (preset) => {
      // Prepare
      const t = configuredFor(preset);

      // Act
      const response = await t.receive(deliveryUnder(preset));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(t.logs().map((line) => line.msg)).toEqual(["delivery"]);
    },
  );

  it.each(PAIRS)(
    "answers 401 to %s while configured for %s, and the probe names it once",
    async (signer, configured) => {
      // Prepare
      const t = configuredFor(configured);

      // Act
      const response = await t.receive(deliveryUnder(signer));

      // Assess
      expect(response.statusCode).toBe(401);
      const probeLines = t.logs().filter((line) => line.msg === "signature_scheme_probe");
      expect(probeLines).toEqual([
        {
          level: "warn",
          timestamp: new Date(T0).toISOString(),
          msg: "signature_scheme_probe",
          matchedPreset: signer,
          configCommand: `pulumi config set lemon-webhooks:signatureScheme ${signer}`,
          requestId: "req-1",
        },
      ]);
      expect(t.metrics().filter((line) => "SchemeProbeMatched" in line)).toEqual([
        {
          _aws: {
            Timestamp: T0,
            CloudWatchMetrics: [
              {
                Namespace: "LemonWebhooks",
                Dimensions: [["Service", "Preset"]],
                Metrics: [{ Name: "SchemeProbeMatched", Unit: "Count" }],
              },
            ],
          },
          Service: "lemon-webhooks-receiver",
          Preset: signer,
          SchemeProbeMatched: 1,
        },
      ]);
      // Nothing from the request: no signature, no body, no secret
      const log = t.lines.join("\n");
      const signed = deliveryUnder(signer);
      const signature = signed.headers[SIGNATURE_PRESETS[signer].headerName.toLowerCase()]!;
      expect(log).not.toContain(signature);
      expect(log).not.toContain(signature.replace(/^(t=\d+,)?(v1=|v1,|sha256=)/, ""));
      expect(log).not.toContain(SECRET);
      expect(log).not.toContain(EVENT.context.account);
    },
  );

  it("never writes a probe line for a forged delivery, under any preset (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SIGNATURE_PRESET_NAMES),
        fc.constantFrom(...SIGNATURE_PRESET_NAMES),
        fc.oneof(
          fc.stringMatching(/^[0-9a-f]{64}$/).map((secret) => ({ secret, body: BODY })),
          fc
            .string({ minLength: 1, maxLength: 20 })
            .map((extra) => ({ secret: SECRET, body: `${BODY}${extra}` })),
        ),
        async (signer, configured, { secret, body }) => {
          fc.pre(secret !== SECRET || body !== BODY);
          const t = configuredFor(configured);
          const forged = deliveryUnder(signer, secret);
          const response = await t.receive({ ...forged, body });
          expect(response.statusCode).toBe(401);
          expect(t.logs().filter((line) => line.msg === "signature_scheme_probe")).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("probes even when the configured header is missing (Standard Webhooks headers only)", async () => {
    const t = configuredFor("lemon-default");
    const response = await t.receive(deliveryUnder("standard-webhooks"));
    expect(response.statusCode).toBe(401);
    expect(t.logs().find((line) => line.msg === "signature_scheme_probe")?.matchedPreset).toBe(
      "standard-webhooks",
    );
  });

  it("still rejects without touching Secrets Manager when no preset's header is there", async () => {
    const t = configuredFor("lemon-default");
    const response = await t.receive({ method: "POST", headers: {}, body: BODY, isBase64Encoded: false });
    expect(response.statusCode).toBe(401);
    expect(t.secrets.currentCalls).toBe(0);
  });

  it("keeps the 401 when Secrets Manager fails during the probe", async () => {
    // Prepare: the configured header is missing, so only the probe would fetch the secret
    const secrets = new MemorySecretSource({ value: SECRET, createdAt: new Date(T0 - 86_400_000) });
    secrets.failing = true;
    const t = testReceiver(SECRET, {
      secrets,
      config: { ...CONFIG, signatureScheme: SIGNATURE_PRESETS["lemon-default"] },
    });

    // Act
    const response = await t.receive(deliveryUnder("standard-webhooks"));

    // Assess
    expect(response.statusCode).toBe(401);
    expect(t.logs().filter((line) => line.msg === "signature_scheme_probe")).toEqual([]);
  });

  it("rate-limits the probe: 30 mis-signed deliveries at once give the burst of 10 probe lines", async () => {
    const t = configuredFor("lemon-default");
    for (let i = 0; i < 30; i += 1) {
      expect((await t.receive(deliveryUnder("hex-key"))).statusCode).toBe(401);
    }
    expect(t.logs().filter((line) => line.msg === "signature_scheme_probe")).toHaveLength(10);
    // A minute later the bucket has refilled: probing resumes
    t.clock.advance(60_000);
    await t.receive(deliveryUnder("hex-key", SECRET));
    expect(t.logs().filter((line) => line.msg === "signature_scheme_probe")).toHaveLength(11);
  });
});
