import fc from "fast-check";
import { DEFAULT_SIGNATURE_SCHEME, signHeaders } from "../../contract/signature";
import {
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  type SignaturePresetName,
} from "../../contract/signature-presets";
import {
  MAX_PROBE_BODY_BYTES,
  maxProbeHmacs,
  probeCandidates,
  probeLogRecord,
  probeSignatureScheme,
  SchemeProbe,
  TokenBucket,
} from "../../lambda/receiver/signature-probe";
import { BODY, SECRET, TIMESTAMP, VECTORS } from "../support/signature-vectors";

const NOW_MS = TIMESTAMP * 1000;
const presetArb = fc.constantFrom(...SIGNATURE_PRESET_NAMES);
const secretArb = fc.stringMatching(/^[0-9a-f]{64}$/);

/**
 * Counts HMACs computed while `run` runs (the probe's cost). Spies on the real module object (an `import *`
 * would be a copy the code under test never calls through).
 */
function countHmacs<T>(run: () => T): { result: T; hmacs: number } {
  const spy = jest.spyOn(require("node:crypto") as typeof import("node:crypto"), "createHmac");
  try {
    return { result: run(), hmacs: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe("Function: probeSignatureScheme", () => {
  it.each(
    SIGNATURE_PRESET_NAMES.flatMap((configured) =>
      SIGNATURE_PRESET_NAMES.filter((signer) => signer !== configured).map(
        (signer) => [signer, configured] as const,
      ),
    ),
  )("names %s for its openssl vector when the receiver is configured for %s", (signer, configured) => {
    // Act
    const preset = probeSignatureScheme(
      { body: BODY, headers: VECTORS[signer].headers },
      [SECRET],
      SIGNATURE_PRESETS[configured],
      { nowMs: NOW_MS },
    );

    // Assess
    expect(preset).toBe(signer);
  });

  it("matches exactly the signing preset, for any body, secret and pair of presets (property)", () => {
    fc.assert(
      fc.property(
        presetArb,
        presetArb,
        fc.uint8Array({ maxLength: 512 }),
        secretArb,
        secretArb,
        (signer, configured, body, secret, other) => {
          fc.pre(signer !== configured);
          const headers = signHeaders(body, secret, SIGNATURE_PRESETS[signer], { nowMs: NOW_MS });
          expect(
            probeSignatureScheme({ body, headers }, [other, secret], SIGNATURE_PRESETS[configured], {
              nowMs: NOW_MS,
            }),
          ).toBe(signer);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never matches a forged request: wrong secret, tampered body or random headers (property)", () => {
    const forged = fc.oneof(
      // Signed with a secret the receiver does not have
      fc.tuple(presetArb, secretArb).map(([name, wrong]) => ({
        body: BODY,
        headers: signHeaders(BODY, wrong, SIGNATURE_PRESETS[name], { nowMs: NOW_MS }),
      })),
      // A genuine signature on a different body
      fc.tuple(presetArb, fc.string({ minLength: 1 })).map(([name, extra]) => ({
        body: BODY + extra,
        headers: VECTORS[name].headers,
      })),
      // Whatever an attacker puts in the headers
      fc
        .dictionary(
          fc.constantFrom("Lemon-Markets-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"),
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.stringMatching(/^(t=1700000000,)?(v1=|sha256=|v1,)?[0-9a-f]{64}$/),
            fc.base64String({ minLength: 44, maxLength: 44 }).map((b) => `v1,${b}`),
          ),
        )
        .map((headers) => ({ body: BODY, headers })),
    );
    fc.assert(
      fc.property(forged, presetArb, (request, configured) => {
        expect(
          probeSignatureScheme(request, [SECRET], SIGNATURE_PRESETS[configured], { nowMs: NOW_MS }),
        ).toBeUndefined();
      }),
      { numRuns: 1500 },
    );
  });

  it("does not name the configured scheme itself", () => {
    const request = { body: BODY, headers: VECTORS["lemon-default"].headers };
    expect(
      probeSignatureScheme(request, [SECRET], DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS }),
    ).toBeUndefined();
  });

  it("names nothing when two presets match (ambiguous)", () => {
    const request = {
      body: BODY,
      headers: {
        "Lemon-Markets-Signature": `${VECTORS["hex-key"].headers["Lemon-Markets-Signature"]},${VECTORS.sha512.headers["Lemon-Markets-Signature"]}`,
      },
    };
    expect(
      probeSignatureScheme(request, [SECRET], DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS }),
    ).toBeUndefined();
  });

  it("names nothing for a stale timestamp or an oversized body, and never throws", () => {
    const stale = { body: BODY, headers: VECTORS["stripe-like"].headers };
    expect(
      probeSignatureScheme(stale, [SECRET], DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS + 301_000 }),
    ).toBeUndefined();
    const big = "x".repeat(MAX_PROBE_BODY_BYTES + 1);
    const headers = signHeaders(big, SECRET, SIGNATURE_PRESETS["hex-key"]);
    expect(probeCandidates({ body: big, headers }, DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS })).toEqual([]);
    expect(
      probeSignatureScheme({ body: big, headers }, [SECRET], DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS }),
    ).toBeUndefined();
    const hostile = { body: BODY, headers: null } as unknown as {
      body: string;
      headers: Record<string, string>;
    };
    expect(
      probeSignatureScheme(hostile, [SECRET], DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS }),
    ).toBeUndefined();
  });

  it("costs at most (presets - 1) x 2 HMACs, whatever the request and however many secrets (property)", () => {
    expect(maxProbeHmacs()).toBe(14);
    fc.assert(
      fc.property(
        presetArb,
        fc.array(secretArb, { minLength: 1, maxLength: 6 }),
        fc.dictionary(
          fc.constantFrom("Lemon-Markets-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"),
          fc.constantFrom(
            ...Object.values(VECTORS).flatMap((v) => Object.values(v.headers)),
            `t=1700000000,${"v1=ab".repeat(3)}`,
          ),
        ),
        (configured, secrets, headers) => {
          const { hmacs } = countHmacs(() =>
            probeSignatureScheme({ body: BODY, headers }, secrets, SIGNATURE_PRESETS[configured], {
              nowMs: NOW_MS,
            }),
          );
          expect(hmacs).toBeLessThanOrEqual(maxProbeHmacs());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reaches its bound exactly: a forged signature for every preset, two secrets, 14 HMACs", () => {
    // Prepare: one header value holding the forged signature of each preset sharing it, as a rotation would
    const forger = "a".repeat(64);
    const headers: Record<string, string> = {};
    for (const name of SIGNATURE_PRESET_NAMES) {
      const scheme = SIGNATURE_PRESETS[name];
      for (const [key, value] of Object.entries(signHeaders(BODY, forger, scheme, { nowMs: NOW_MS }))) {
        headers[key] =
          key === scheme.headerName && headers[key] !== undefined ? `${headers[key]},${value}` : value;
      }
    }

    // Act
    const { result, hmacs } = countHmacs(() =>
      probeSignatureScheme(
        { body: BODY, headers },
        [SECRET, "0".repeat(64), "1".repeat(64)],
        DEFAULT_SIGNATURE_SCHEME,
        {
          nowMs: NOW_MS,
        },
      ),
    );

    // Assess
    expect(probeCandidates({ body: BODY, headers }, DEFAULT_SIGNATURE_SCHEME, { nowMs: NOW_MS })).toEqual(
      SIGNATURE_PRESET_NAMES.filter((name) => name !== "lemon-default"),
    );
    expect({ result, hmacs }).toEqual({ result: undefined, hmacs: 14 });
  });

  it("costs no HMAC when no other preset's header is present", () => {
    const { result, hmacs } = countHmacs(() =>
      probeSignatureScheme({ body: BODY, headers: { "x-other": "1" } }, [SECRET], DEFAULT_SIGNATURE_SCHEME, {
        nowMs: NOW_MS,
      }),
    );
    expect({ result, hmacs }).toEqual({ result: undefined, hmacs: 0 });
  });
});

describe("Class: TokenBucket", () => {
  it("allows the burst, then refills at the rate on the injected clock", () => {
    // Prepare
    let now = 0;
    const bucket = new TokenBucket({ capacity: 3, perMinute: 6, clock: { now: () => now } });

    // Act + Assess: 3 at once, then one per 10 s
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 9_999;
    expect(bucket.tryTake()).toBe(false);
    now = 10_000;
    expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
    now = 10_000 + 3_600_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("never grants more than capacity + perMinute x minutes, whatever the arrival pattern (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 400 }), (gaps) => {
        let now = 0;
        const bucket = new TokenBucket({ capacity: 10, perMinute: 10, clock: { now: () => now } });
        let granted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.tryTake()) granted += 1;
        }
        expect(granted).toBeLessThanOrEqual(10 + Math.floor((now * 10) / 60_000));
      }),
    );
  });

  it("does not mint tokens when the clock goes backwards", () => {
    let now = 100_000;
    const bucket = new TokenBucket({ capacity: 1, perMinute: 1, clock: { now: () => now } });
    expect(bucket.tryTake()).toBe(true);
    now = 0;
    expect(bucket.tryTake()).toBe(false);
    now = 100_000;
    expect(bucket.tryTake()).toBe(false);
  });
});

describe("Class: SchemeProbe", () => {
  it("a flood of 10,000 forged requests costs at most burst + rate x minutes probes, each bounded", () => {
    // Prepare: one request every 6 ms for a minute, each carrying well-formed but forged signatures
    let now = NOW_MS;
    const probe = new SchemeProbe({ clock: { now: () => now } });
    const forged = { body: BODY, headers: signHeaders(BODY, "0".repeat(64), SIGNATURE_PRESETS["hex-key"]) };
    const outcomes = new Map<string, number>();

    // Act
    const { hmacs } = countHmacs(() => {
      for (let i = 0; i < 10_000; i += 1) {
        now += 6;
        const { outcome } = probe.run(forged, [SECRET, SECRET], DEFAULT_SIGNATURE_SCHEME);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    });

    // Assess: the burst of 10, then 9 refilled in the minute (what trickles in while the bucket is still full
    // is not banked); each probe costs at most the HMACs of the presets whose header is present
    expect(Object.fromEntries(outcomes)).toEqual({ no_match: 19, rate_limited: 9_981 });
    expect(hmacs).toBeLessThanOrEqual(20 * maxProbeHmacs());
  });

  it("spends no token on a request without another preset's header", () => {
    const probe = new SchemeProbe({ clock: { now: () => NOW_MS }, burst: 1, perMinute: 1 });
    const none = { body: BODY, headers: {} };
    expect(probe.worthProbing(none, DEFAULT_SIGNATURE_SCHEME)).toBe(false);
    expect(probe.run(none, [SECRET], DEFAULT_SIGNATURE_SCHEME)).toEqual({ outcome: "no_candidates" });
    const real = { body: BODY, headers: VECTORS["standard-webhooks"].headers };
    expect(probe.worthProbing(real, DEFAULT_SIGNATURE_SCHEME)).toBe(true);
    expect(probe.run(real, [SECRET], DEFAULT_SIGNATURE_SCHEME)).toEqual({
      outcome: "matched",
      preset: "standard-webhooks",
    });
    expect(probe.run(real, [SECRET], DEFAULT_SIGNATURE_SCHEME)).toEqual({ outcome: "rate_limited" });
  });
});

describe("Function: probeLogRecord", () => {
  it.each<SignaturePresetName>(["hex-key", "standard-webhooks"])(
    "names %s and the exact config command, nothing else",
    (preset) => {
      expect(probeLogRecord(preset)).toEqual({
        msg: "signature_scheme_probe",
        matchedPreset: preset,
        configCommand: `pulumi config set lemon-webhooks:signatureScheme ${preset}`,
      });
    },
  );
});
