import fc from "fast-check";
import { EVENT_TYPE_PATTERN, PUBLISHED_EVENT_TYPES } from "../../../components/lemon-api/event-types";
import { readConfig } from "../../../lambda/receiver/config";
import { ENVELOPE_TYPE_PATTERN, isIsoTimestampWithOffset, parseEnvelope } from "../../../contract/event";
import { ConfigError } from "../../../lambda/core/errors";
import { DEFAULT_SIGNATURE_SCHEME } from "../../../contract/signature";
import { BODY, EVENT } from "../../support/events";

describe("Function: parseEnvelope", () => {
  it("returns the guide's event unchanged", () => {
    expect(parseEnvelope(BODY)).toEqual(EVENT);
  });

  it("accepts every published event type and types not yet published", () => {
    for (const type of [...PUBLISHED_EVENT_TYPES, "brand_new.thing_happened"]) {
      expect(parseEnvelope(JSON.stringify({ ...EVENT, type })).type).toBe(type);
    }
  });

  it("uses the same event type pattern as the lemon.markets client", () => {
    expect(ENVELOPE_TYPE_PATTERN.source).toBe(EVENT_TYPE_PATTERN.source);
    expect(ENVELOPE_TYPE_PATTERN.flags).toBe(EVENT_TYPE_PATTERN.flags);
  });

  it.each([
    ["2023-06-29T14:40:30.523373+00:00", true],
    ["2023-06-29T14:40:30Z", true],
    ["2024-02-29T00:00:00-05:30", true],
    ["2023-02-29T00:00:00Z", false],
    ["2023-06-31T00:00:00Z", false],
    ["2023-06-29T24:00:00Z", false],
    ["2023-06-29T14:40:30", false],
    ["2023-06-29 14:40:30+00:00", false],
    ["2023-06-29T14:40:30+0000", false],
    ["1688049630", false],
  ])("judges %s as ISO 8601 with offset: %s", (value, expected) => {
    expect(isIsoTimestampWithOffset(value)).toBe(expected);
  });

  it("accepts every timestamp Date#toISOString produces, with any offset", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
        (date) => {
          expect(isIsoTimestampWithOffset(date.toISOString())).toBe(true);
          expect(isIsoTimestampWithOffset(date.toISOString().replace("Z", "+02:00"))).toBe(true);
        },
      ),
    );
  });

  it("either returns an envelope or throws an EnvelopeError for any JSON", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          expect(parseEnvelope(text).id).toMatch(/^evt_/);
        } catch (error) {
          expect((error as Error).name).toBe("EnvelopeError");
        }
      }),
    );
  });
});

describe("Function: readConfig", () => {
  const ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-AbCdEf";
  const REQUIRED = {
    LEMON_SIGNATURE_SECRET_ARN: ARN,
    LEMON_DEDUPE_TABLE: "dedupe",
  };

  it("fills the documented defaults", () => {
    expect(readConfig(REQUIRED)).toEqual({
      secretArn: ARN,
      dedupeTable: "dedupe",
      rotationGraceSeconds: 86_400,
      dedupeTtlSeconds: 604_800,
      maxBodyBytes: 65_536,
      secretCacheSeconds: 300,
      signatureScheme: DEFAULT_SIGNATURE_SCHEME,
    });
  });

  it("reads every override", () => {
    const config = readConfig({
      ...REQUIRED,
      LEMON_ROTATION_GRACE_SECONDS: "0",
      LEMON_DEDUPE_TTL_SECONDS: "3600",
      LEMON_MAX_BODY_BYTES: "1024",
      LEMON_SECRET_CACHE_SECONDS: "5",
    });
    expect(config).toMatchObject({
      rotationGraceSeconds: 0,
      dedupeTtlSeconds: 3_600,
      maxBodyBytes: 1_024,
      secretCacheSeconds: 5,
    });
  });

  it("reads no bus and no lease: the receiver only stores", () => {
    expect(readConfig({ ...REQUIRED, LEMON_EVENT_BUS_NAME: "bus", LEMON_CLAIM_LEASE_SECONDS: "0" })).toEqual(
      readConfig(REQUIRED),
    );
  });

  it("names every missing variable at once", () => {
    expect(() => readConfig({})).toThrow(
      new ConfigError([
        "LEMON_SIGNATURE_SECRET_ARN is not set; set it to the ARN of the Secrets Manager secret holding the signature secret",
        "LEMON_DEDUPE_TABLE is not set; set it to the name of the DynamoDB table events are stored in",
      ]),
    );
  });

  it.each([
    [
      "LEMON_MAX_BODY_BYTES",
      "64k",
      'LEMON_MAX_BODY_BYTES is "64k"; set a whole number from 1 KiB to 200 KiB; an EventBridge entry holds at most 256 KiB (default 65536)',
    ],
    [
      "LEMON_DEDUPE_TTL_SECONDS",
      "60",
      'LEMON_DEDUPE_TTL_SECONDS is "60"; set a whole number from 1 hour to 365 days; it must outlast lemon.markets\' retries (default 604800)',
    ],
    [
      "LEMON_ROTATION_GRACE_SECONDS",
      "-1",
      'LEMON_ROTATION_GRACE_SECONDS is "-1"; set a whole number from 0 to 30 days (default 86400)',
    ],
  ])("rejects %s=%s naming the variable and the fix", (name, value, message) => {
    expect(() => readConfig({ ...REQUIRED, [name]: value })).toThrow(`receiver misconfigured: ${message}`);
  });

  it("refuses a secret value in place of the ARN without echoing it", () => {
    // Prepare
    const secret = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";

    // Act
    const error = (() => {
      try {
        readConfig({ ...REQUIRED, LEMON_SIGNATURE_SECRET_ARN: secret });
        return undefined;
      } catch (e) {
        return e as ConfigError;
      }
    })();

    // Assess
    expect(error?.problems).toEqual([
      "LEMON_SIGNATURE_SECRET_ARN is not a Secrets Manager secret ARN; set it to the secret's ARN (arn:aws:secretsmanager:…), never the secret value",
    ]);
    expect(error?.message).not.toContain(secret);
  });
});
