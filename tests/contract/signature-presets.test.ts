import fc from "fast-check";
import { DEFAULT_SIGNATURE_SCHEME } from "../../contract/signature";
import {
  formatSignatureScheme,
  parseSignatureScheme,
  presetNameOf,
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  SignatureSchemeError,
} from "../../contract/signature-presets";

describe("Function: parseSignatureScheme", () => {
  it("gives the documented default for nothing, an empty string and lemon-default", () => {
    expect(parseSignatureScheme(undefined)).toBe(DEFAULT_SIGNATURE_SCHEME);
    expect(parseSignatureScheme("  ")).toBe(DEFAULT_SIGNATURE_SCHEME);
    expect(parseSignatureScheme("lemon-default")).toBe(DEFAULT_SIGNATURE_SCHEME);
    expect(DEFAULT_SIGNATURE_SCHEME).toEqual({
      headerName: "Lemon-Markets-Signature",
      algorithm: "sha256",
      encoding: "hex",
      keyEncoding: "utf8",
      prefixes: [""],
      signed: "body",
      toleranceSeconds: 300,
    });
  });

  it("has exactly the documented presets", () => {
    expect(SIGNATURE_PRESET_NAMES).toEqual([
      "lemon-default",
      "hex-key",
      "base64-digest",
      "hex-key-base64-digest",
      "sha256-prefixed",
      "sha512",
      "stripe-like",
      "standard-webhooks",
    ]);
  });

  it.each(SIGNATURE_PRESET_NAMES)("resolves the preset %s by name, as JSON and as an object", (name) => {
    expect(parseSignatureScheme(name)).toBe(SIGNATURE_PRESETS[name]);
    expect(parseSignatureScheme(JSON.stringify({ preset: name }))).toEqual(SIGNATURE_PRESETS[name]);
    expect(parseSignatureScheme({ preset: name })).toEqual(SIGNATURE_PRESETS[name]);
  });

  it("applies overrides on top of a preset", () => {
    // Act
    const scheme = parseSignatureScheme(
      '{"preset":"stripe-like","toleranceSeconds":600,"headerName":"X-Sig"}',
    );

    // Assess
    expect(scheme).toEqual({
      ...SIGNATURE_PRESETS["stripe-like"],
      toleranceSeconds: 600,
      headerName: "X-Sig",
    });
    expect(presetNameOf(scheme)).toBeUndefined();
  });

  it("takes prefix as shorthand for one prefix, on top of lemon-default", () => {
    expect(parseSignatureScheme({ prefix: "sha256=" })).toEqual(SIGNATURE_PRESETS["sha256-prefixed"]);
    expect(presetNameOf(parseSignatureScheme({ prefix: "sha256=" }))).toBe("sha256-prefixed");
  });

  it("drops the preset's id and timestamp headers when signed changes", () => {
    expect(parseSignatureScheme({ preset: "standard-webhooks", signed: "body", prefixes: ["v1,"] })).toEqual({
      ...SIGNATURE_PRESETS["base64-digest"],
      headerName: "webhook-signature",
      keyEncoding: "base64",
      prefixes: ["v1,"],
    });
  });

  it.each([
    [
      "hmac-md5",
      '[signatureScheme] unknown signature scheme preset "hmac-md5"; use one of lemon-default, hex-key,',
    ],
    ['{"encoding":"hexadecimal"}', '[signatureScheme.encoding] must be hex or base64 (got "hexadecimal")'],
    ['{"algorithm":"sha1"}', '[signatureScheme.algorithm] must be sha256 or sha512 (got "sha1")'],
    [
      '{"keyEncoding":"latin1"}',
      '[signatureScheme.keyEncoding] must be utf8 or hex or base64 (got "latin1")',
    ],
    ['{"signed":"headers"}', "[signatureScheme.signed] must be body or timestamp.body or id.timestamp.body"],
    ['{"preset":"nope"}', '[signatureScheme.preset] unknown signature scheme preset "nope"'],
    [
      '{"encodng":"hex"}',
      "[signatureScheme.encodng] is not a signature scheme field; use preset, headerName,",
    ],
    ['{"headerName":"Bad Header"}', "[signatureScheme.headerName] must be an HTTP header name"],
    ['{"prefixes":[]}', '[signatureScheme.prefixes] must be a list of 1 to 4 strings, e.g. ["sha256="]'],
    [
      '{"prefix":"a b"}',
      "[signatureScheme.prefix] a prefix must be at most 16 printable characters without spaces",
    ],
    [
      '{"prefix":"x","prefixes":["y"]}',
      "[signatureScheme.prefix] and [signatureScheme.prefixes] cannot both be given",
    ],
    [
      '{"toleranceSeconds":0,"signed":"timestamp.body","prefix":"v1="}',
      "[signatureScheme.toleranceSeconds] must be from 1 to 86400 seconds (got 0)",
    ],
    [
      '{"toleranceSeconds":"300"}',
      '[signatureScheme.toleranceSeconds] must be a whole number of seconds (got "300")',
    ],
    [
      '{"signed":"timestamp.body"}',
      '[signatureScheme.prefixes] with the timestamp in a t= element of the signature header, every signature needs a prefix other than "" and "t="',
    ],
    [
      '{"signed":"id.timestamp.body","timestampHeader":"ts"}',
      '[signatureScheme.idHeader] is required with signed "id.timestamp.body"',
    ],
    ['{"timestampHeader":"ts"}', "[signatureScheme.timestampHeader] only applies when a timestamp is signed"],
    [
      '{"preset":"stripe-like","idHeader":"id"}',
      '[signatureScheme.idHeader] only applies to signed "id.timestamp.body"; drop it',
    ],
    [
      '{"preset":"standard-webhooks","idHeader":"webhook-signature"}',
      "[signatureScheme] headerName, timestampHeader and idHeader must be different headers",
    ],
    ["{not json", "[signatureScheme] is not valid JSON ("],
    ["[1,2]", "[signatureScheme] must be a preset name (lemon-default,"],
  ])("rejects %s naming the field and the fix", (input, message) => {
    expect(() => parseSignatureScheme(input)).toThrow(SignatureSchemeError);
    expect(() => parseSignatureScheme(input)).toThrow(message);
  });

  it("names the field it was given", () => {
    expect(() => parseSignatureScheme('{"encoding":"x"}', "LEMON_SIGNATURE_SCHEME")).toThrow(
      '[LEMON_SIGNATURE_SCHEME.encoding] must be hex or base64 (got "x")',
    );
  });

  it("throws only SignatureSchemeError, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (input) => {
          try {
            parseSignatureScheme(input);
          } catch (error) {
            expect(error).toBeInstanceOf(SignatureSchemeError);
          }
        },
      ),
    );
  });
});

describe("Function: formatSignatureScheme", () => {
  it.each(SIGNATURE_PRESET_NAMES)("writes the preset %s as its name", (name) => {
    expect(formatSignatureScheme(SIGNATURE_PRESETS[name])).toBe(name);
  });

  it("writes a custom scheme as JSON that parses back to the same scheme", () => {
    const custom = parseSignatureScheme({
      preset: "stripe-like",
      headerName: "X-Sig",
      prefixes: ["v1=", "v0="],
    });
    const text = formatSignatureScheme(custom);
    expect(JSON.parse(text)).toEqual({
      headerName: "X-Sig",
      algorithm: "sha256",
      encoding: "hex",
      keyEncoding: "utf8",
      prefixes: ["v1=", "v0="],
      signed: "timestamp.body",
      toleranceSeconds: 300,
    });
    expect(parseSignatureScheme(text)).toEqual(custom);
  });
});
