import fc from "fast-check";
import {
  DEFAULT_SIGNATURE_SCHEME,
  headerValue,
  type SignatureScheme,
  sign,
  signHeaders,
  verify,
  verifyRequest,
} from "../../contract/signature";
import {
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  type SignaturePresetName,
} from "../../contract/signature-presets";
import { BODY, EVENT_ID, SECRET, STANDARD_WEBHOOKS_SPEC, TIMESTAMP, VECTORS } from "../support/signature-vectors";

const NOW_MS = TIMESTAMP * 1000;
const TIMESTAMPED = SIGNATURE_PRESET_NAMES.filter((name) => SIGNATURE_PRESETS[name].signed !== "body");

/** Random secrets valid in every key encoding: 64 hex characters are UTF-8, hex and base64 at once. */
const secretArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const presetArb = fc.constantFrom(...SIGNATURE_PRESET_NAMES);

describe("Function: signHeaders (known-answer vectors from openssl)", () => {
  it.each(SIGNATURE_PRESET_NAMES)("%s signs exactly the openssl vector", (name) => {
    // Act
    const headers = signHeaders(BODY, SECRET, SIGNATURE_PRESETS[name], { nowMs: NOW_MS + 999, id: EVENT_ID });

    // Assess
    expect(headers).toEqual(VECTORS[name].headers);
  });

  it("standard-webhooks takes the message id from the event id in the body by default", () => {
    expect(signHeaders(BODY, SECRET, SIGNATURE_PRESETS["standard-webhooks"], { nowMs: NOW_MS })).toEqual(
      VECTORS["standard-webhooks"].headers,
    );
  });

  it("standard-webhooks reproduces the specification's own example (whsec_ secret)", () => {
    const { secret, body, headers, nowMs } = STANDARD_WEBHOOKS_SPEC;
    expect(
      signHeaders(body, secret, SIGNATURE_PRESETS["standard-webhooks"], { nowMs, id: headers["webhook-id"] }),
    ).toEqual(headers);
    expect(verifyRequest({ body, headers }, [secret], SIGNATURE_PRESETS["standard-webhooks"], nowMs)).toBe(
      true,
    );
  });

  it("sign() keeps today's behaviour and refuses schemes that need several headers", () => {
    expect(sign(BODY, SECRET)).toBe(VECTORS["lemon-default"].headers["Lemon-Markets-Signature"]);
    expect(sign(BODY, SECRET, SIGNATURE_PRESETS["stripe-like"], { nowMs: NOW_MS })).toBe(
      VECTORS["stripe-like"].headers["Lemon-Markets-Signature"],
    );
    expect(() => sign(BODY, SECRET, SIGNATURE_PRESETS["standard-webhooks"])).toThrow(
      "this scheme signs into several headers: use signHeaders()",
    );
  });

  it("throws a TypeError for a secret that is not valid in the key encoding", () => {
    expect(() => signHeaders(BODY, "not hex!", SIGNATURE_PRESETS["hex-key"])).toThrow(
      "the signature secret is not valid hex (keyEncoding of the scheme)",
    );
  });
});

describe("Function: verifyRequest", () => {
  it.each(SIGNATURE_PRESET_NAMES)("%s accepts its openssl vector", (name) => {
    expect(
      verifyRequest(
        { body: BODY, headers: VECTORS[name].headers },
        [SECRET],
        SIGNATURE_PRESETS[name],
        NOW_MS,
      ),
    ).toBe(true);
  });

  it.each(SIGNATURE_PRESET_NAMES)("%s rejects every other preset's vector", (name) => {
    // Prepare: the vectors of the other presets, all with the same secret and body
    const others = SIGNATURE_PRESET_NAMES.filter((other) => other !== name);

    // Act
    const accepted = others.filter((other) =>
      verifyRequest(
        { body: BODY, headers: VECTORS[other].headers },
        [SECRET],
        SIGNATURE_PRESETS[name],
        NOW_MS,
      ),
    );

    // Assess
    expect(accepted).toEqual([]);
  });

  it("looks every header up case-insensitively", () => {
    const headers = Object.fromEntries(
      Object.entries(VECTORS["standard-webhooks"].headers).map(([key, value]) => [key.toUpperCase(), value]),
    );
    expect(
      verifyRequest({ body: BODY, headers }, [SECRET], SIGNATURE_PRESETS["standard-webhooks"], NOW_MS),
    ).toBe(true);
    expect(headerValue({ A: "1", a: "2" }, "a")).toBe("1,2");
  });

  it("accepts several signatures per header (rotation) in every preset", () => {
    for (const name of SIGNATURE_PRESET_NAMES) {
      const scheme = SIGNATURE_PRESETS[name];
      const old = signHeaders(BODY, "0".repeat(64), scheme, { nowMs: NOW_MS });
      const current = signHeaders(BODY, SECRET, scheme, { nowMs: NOW_MS });
      const joined = scheme.prefixes.some((p) => p.includes(",")) ? " " : ",";
      const both = current[scheme.headerName]!.replace(/^t=\d+,/, "");
      const headers = { ...current, [scheme.headerName]: `${old[scheme.headerName]}${joined}${both}` };
      expect({ name, ok: verifyRequest({ body: BODY, headers }, [SECRET], scheme, NOW_MS) }).toEqual({
        name,
        ok: true,
      });
    }
  });

  it("standard-webhooks accepts the secret with or without whsec_", () => {
    const request = { body: BODY, headers: VECTORS["standard-webhooks"].headers };
    const scheme = SIGNATURE_PRESETS["standard-webhooks"];
    expect(verifyRequest(request, [`whsec_${SECRET}`], scheme, NOW_MS)).toBe(true);
  });

  it.each([
    ["timestamp header missing", { "webhook-timestamp": undefined }],
    ["id header missing", { "webhook-id": undefined }],
    ["timestamp not a number", { "webhook-timestamp": "1700000000.5" }],
    ["id changed", { "webhook-id": "evt_other" }],
    ["oversized id", { "webhook-id": "x".repeat(300) }],
  ])("standard-webhooks rejects a request with the %s", (_label, change) => {
    const headers = { ...VECTORS["standard-webhooks"].headers, ...change };
    expect(
      verifyRequest({ body: BODY, headers }, [SECRET], SIGNATURE_PRESETS["standard-webhooks"], NOW_MS),
    ).toBe(false);
  });

  it("stripe-like rejects a missing t= element and a t= that was not signed", () => {
    const scheme = SIGNATURE_PRESETS["stripe-like"];
    const value = VECTORS["stripe-like"].headers["Lemon-Markets-Signature"]!;
    expect(verify(BODY, value.replace("t=1700000000,", ""), [SECRET], scheme, NOW_MS)).toBe(false);
    expect(verify(BODY, value.replace("t=1700000000", "t=1700000001"), [SECRET], scheme, NOW_MS)).toBe(false);
  });

  it("ignores secrets that are invalid in the key encoding instead of throwing", () => {
    const request = { body: BODY, headers: VECTORS["hex-key"].headers };
    expect(verifyRequest(request, ["zz", "", SECRET], SIGNATURE_PRESETS["hex-key"], NOW_MS)).toBe(true);
    expect(verifyRequest(request, ["zz", "abc"], SIGNATURE_PRESETS["hex-key"], NOW_MS)).toBe(false);
  });
});

describe("Tolerance window", () => {
  it.each(TIMESTAMPED)(
    "%s accepts a timestamp up to toleranceSeconds old or ahead, and rejects beyond",
    (name) => {
      const scheme = SIGNATURE_PRESETS[name];
      const request = { body: BODY, headers: VECTORS[name].headers };
      const tolerance = scheme.toleranceSeconds * 1000;
      expect(scheme.toleranceSeconds).toBe(300);
      expect(verifyRequest(request, [SECRET], scheme, NOW_MS + tolerance)).toBe(true);
      expect(verifyRequest(request, [SECRET], scheme, NOW_MS - tolerance)).toBe(true);
      expect(verifyRequest(request, [SECRET], scheme, NOW_MS + tolerance + 1000)).toBe(false);
      expect(verifyRequest(request, [SECRET], scheme, NOW_MS - tolerance - 1000)).toBe(false);
    },
  );

  it.each(TIMESTAMPED)("%s rejects any replay older or newer than the window (property)", (name) => {
    const scheme = SIGNATURE_PRESETS[name];
    fc.assert(
      fc.property(
        fc.integer({ min: scheme.toleranceSeconds + 1, max: 10 * 365 * 86_400 }),
        fc.boolean(),
        (skewSeconds, ahead) => {
          const headers = signHeaders(BODY, SECRET, scheme, { nowMs: NOW_MS });
          const now = NOW_MS + (ahead ? -1 : 1) * skewSeconds * 1000;
          expect(verifyRequest({ body: BODY, headers }, [SECRET], scheme, now)).toBe(false);
        },
      ),
    );
  });

  it("does not apply to schemes that sign only the body", () => {
    expect(
      verify(
        BODY,
        VECTORS["lemon-default"].headers["Lemon-Markets-Signature"],
        [SECRET],
        DEFAULT_SIGNATURE_SCHEME,
        0,
      ),
    ).toBe(true);
  });
});

/** One byte of `text` changed, at a position chosen by `at` (mod length), by `delta` (1..255). */
function mutateBytes(bytes: Uint8Array, at: number, delta: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const index = at % copy.length;
  copy[index] = (copy[index]! + delta) % 256;
  return copy;
}

function mutateString(text: string, at: number, delta: number): string {
  return Buffer.from(mutateBytes(Buffer.from(text, "latin1"), at, delta)).toString("latin1");
}

describe("Properties of every preset", () => {
  const scheme = (name: SignaturePresetName): SignatureScheme => SIGNATURE_PRESETS[name];

  it("sign then verify round-trips for any body, secret and time", () => {
    fc.assert(
      fc.property(
        presetArb,
        fc.uint8Array({ maxLength: 1024 }),
        secretArb,
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (name, body, secret, seconds) => {
          const nowMs = seconds * 1000;
          const headers = signHeaders(body, secret, scheme(name), { nowMs });
          expect(verifyRequest({ body, headers }, [secret], scheme(name), nowMs)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("fails after any single-byte change of the body", () => {
    fc.assert(
      fc.property(
        presetArb,
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (name, body, at, delta) => {
          const headers = signHeaders(body, SECRET, scheme(name), { nowMs: NOW_MS });
          const tampered = mutateBytes(body, at, delta);
          expect(verifyRequest({ body: tampered, headers }, [SECRET], scheme(name), NOW_MS)).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("fails after any single-byte change of the signature header", () => {
    fc.assert(
      fc.property(presetArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (name, at, delta) => {
        const s = scheme(name);
        const headers = { ...VECTORS[name].headers };
        const forged = mutateString(headers[s.headerName]!, at, delta);
        // Hex case carries no information: a case flip of a hex digit is the same signature.
        fc.pre(forged.toLowerCase() !== headers[s.headerName]!.toLowerCase() || s.encoding !== "hex");
        fc.pre(forged !== headers[s.headerName]);
        expect(
          verifyRequest({ body: BODY, headers: { ...headers, [s.headerName]: forged } }, [SECRET], s, NOW_MS),
        ).toBe(false);
      }),
      { numRuns: 600 },
    );
  });

  it("fails after any single-byte change of the timestamp or id (timestamped presets)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TIMESTAMPED),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (name, at, delta, id) => {
          const s = scheme(name);
          const headers: Record<string, string> = { ...VECTORS[name].headers };
          if (s.timestampHeader === undefined) {
            // The t= element of the signature header: change one digit's byte.
            const value = headers[s.headerName]!;
            const digits = value.slice(2, value.indexOf(","));
            headers[s.headerName] = `t=${mutateString(digits, at, delta)}${value.slice(value.indexOf(","))}`;
          } else if (id && s.idHeader !== undefined) {
            headers[s.idHeader] = mutateString(headers[s.idHeader]!, at, delta);
          } else {
            headers[s.timestampHeader] = mutateString(headers[s.timestampHeader]!, at, delta);
          }
          expect(verifyRequest({ body: BODY, headers }, [SECRET], s, NOW_MS)).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on arbitrary header strings, whatever the preset", () => {
    fc.assert(
      fc.property(
        presetArb,
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(
              "Lemon-Markets-Signature",
              "webhook-id",
              "webhook-timestamp",
              "webhook-signature",
            ),
            fc.string(),
          ),
          fc.oneof(fc.string({ maxLength: 1500 }), fc.string({ unit: "binary", maxLength: 100 })),
        ),
        fc.integer(),
        (name, headers, nowMs) => {
          expect(typeof verifyRequest({ body: BODY, headers }, [SECRET], scheme(name), nowMs)).toBe(
            "boolean",
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("Base64 signatures", () => {
  it("accepts only the canonical encoding (unused trailing bits set is not the same signature)", () => {
    // Prepare: "…+I=" is the openssl vector; "…+J=" decodes to the same bytes in a lenient decoder
    const canonical = VECTORS["base64-digest"].headers["Lemon-Markets-Signature"]!;
    const lenient = `${canonical.slice(0, -2)}J=`;
    expect(Buffer.from(lenient, "base64").equals(Buffer.from(canonical, "base64"))).toBe(true);

    // Act + Assess
    expect(verify(BODY, canonical, [SECRET], SIGNATURE_PRESETS["base64-digest"])).toBe(true);
    expect(verify(BODY, lenient, [SECRET], SIGNATURE_PRESETS["base64-digest"])).toBe(false);
  });
});
