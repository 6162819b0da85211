import fc from "fast-check";
import { DEFAULT_SIGNATURE_SCHEME, type SignatureScheme, sign, verify } from "../../contract/signature";

// Known-answer vector computed outside the code:
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"            (hex)
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
const BODY =
  '{"id":"evt_a8b11a37eccc49ecacb372e3a92a184d","type":"account.created","created_at":"2023-06-29T14:40:30.523373+00:00","context":{"account":"cusa_33531f7f801d4ce997747470ab7208fd"}}';
const KAT_HEX = "c964a9682da412f0f852feb417a0743b92ecc43b6efed2d5f53cdf9291e783e2";
const KAT_BASE64 = "yWSpaC2kEvD4Uv60F6B0O5LsxDtu/tLV9TzfkpHng+I=";

describe("Function: sign", () => {
  it("matches the openssl known-answer vector with the default scheme", () => {
    expect(sign(BODY, SECRET)).toBe(KAT_HEX);
  });

  it("matches the openssl vector in base64 with a prefix when the scheme says so", () => {
    const scheme: SignatureScheme = { ...DEFAULT_SIGNATURE_SCHEME, encoding: "base64", prefixes: ["v1="] };
    expect(sign(Buffer.from(BODY), SECRET, scheme)).toBe(`v1=${KAT_BASE64}`);
  });
});

describe("Function: verify", () => {
  it("accepts the known-answer signature", () => {
    expect(verify(BODY, KAT_HEX, [SECRET])).toBe(true);
  });

  it("accepts when any of several secrets matches (rotation)", () => {
    expect(verify(BODY, KAT_HEX, ["other-secret", SECRET])).toBe(true);
  });

  it("accepts when any of several signatures in the header matches", () => {
    expect(verify(BODY, `${"0".repeat(64)}, ${KAT_HEX}`, [SECRET])).toBe(true);
  });

  it.each([
    ["missing header", undefined],
    ["empty header", ""],
    ["truncated signature", KAT_HEX.slice(0, 62)],
    ["valid prefix followed by junk", `${KAT_HEX}zz`],
    ["base64 of the right MAC under a hex scheme", KAT_BASE64],
    ["oversized header", KAT_HEX + ",".repeat(2000)],
  ])("rejects a %s without throwing", (_label, header) => {
    expect(verify(BODY, header, [SECRET])).toBe(false);
  });

  it("accepts upper-case hex (hex case carries no information)", () => {
    expect(verify(BODY, KAT_HEX.toUpperCase(), [SECRET])).toBe(true);
  });

  it("rejects the right signature under the wrong secret", () => {
    expect(verify(BODY, KAT_HEX, ["wrong"])).toBe(false);
  });

  it("rejects a tampered body", () => {
    expect(verify(BODY.replace("account.created", "account.creates"), KAT_HEX, [SECRET])).toBe(false);
  });

  it("rejects when no secret is configured", () => {
    expect(verify(BODY, KAT_HEX, [])).toBe(false);
    expect(verify(BODY, KAT_HEX, [""])).toBe(false);
  });

  it("round-trips sign then verify for any body and secret", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string({ minLength: 1 }), (body, secret) => {
        expect(verify(body, sign(body, secret), [secret])).toBe(true);
      }),
    );
  });

  it("fails after any single-byte change of the body", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, at, delta) => {
          const signature = sign(body, SECRET);
          const tampered = Uint8Array.from(body);
          const index = at % tampered.length;
          tampered[index] = (tampered[index]! + delta) % 256;
          expect(verify(tampered, signature, [SECRET])).toBe(false);
        },
      ),
    );
  });

  it("fails after any single-character change of the signature", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(..."0123456789abcdef"), (at, replacement) => {
        const index = at % KAT_HEX.length;
        fc.pre(KAT_HEX[index] !== replacement);
        const forged = KAT_HEX.slice(0, index) + replacement + KAT_HEX.slice(index + 1);
        expect(verify(BODY, forged, [SECRET])).toBe(false);
      }),
    );
  });

  it("never throws on arbitrary header strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (header) => {
        expect(typeof verify(BODY, header, [SECRET])).toBe("boolean");
      }),
    );
  });
});
