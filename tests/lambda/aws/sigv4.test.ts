import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { amzDate, signRequest } from "../../../lambda/aws/sigv4";

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): credentials, date, region and service of every case.
const SUITE_CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const SUITE_DATE = new Date("2015-08-30T12:36:00Z");
const SCOPE = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
const suite = (method: string, url: string, headers: Record<string, string> = {}, body = "") =>
  signRequest(
    { method, url: new URL(url), headers, body, region: "us-east-1", service: "service" },
    SUITE_CREDENTIALS,
    SUITE_DATE,
  );

/** SHA-256 for @smithy/signature-v4 (the AWS SDK's signer), used as an independent oracle. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key = typeof this.secret === "string" ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

describe("Function: signRequest", () => {
  it.each([
    [
      "get-vanilla",
      "GET",
      "https://example.amazonaws.com/",
      {},
      "",
      "host;x-amz-date",
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ],
    [
      "post-vanilla",
      "POST",
      "https://example.amazonaws.com/",
      {},
      "",
      "host;x-amz-date",
      "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ],
    [
      "get-vanilla-query-order-key-case",
      "GET",
      "https://example.amazonaws.com/?Param2=value2&Param1=value1",
      {},
      "",
      "host;x-amz-date",
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ],
    [
      "post-x-www-form-urlencoded",
      "POST",
      "https://example.amazonaws.com/",
      { "Content-Type": "application/x-www-form-urlencoded" },
      "Param1=value1",
      "content-type;host;x-amz-date",
      "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ],
  ])("matches AWS's published %s vector", (_name, method, url, headers, body, signedHeaders, signature) => {
    // Act
    const signed = suite(method, url, headers, body);

    // Assess
    expect(signed.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    );
    expect(signed["x-amz-date"]).toBe("20150830T123600Z");
    expect(signed.host).toBe("example.amazonaws.com");
  });

  it("signs the session token and keeps the port in the host header", () => {
    // Act
    const signed = signRequest(
      {
        method: "POST",
        url: new URL("http://127.0.0.1:4566/"),
        headers: {},
        body: "{}",
        region: "eu-central-1",
        service: "events",
      },
      { ...SUITE_CREDENTIALS, sessionToken: "session-token" },
      SUITE_DATE,
    );

    // Assess
    expect(signed.host).toBe("127.0.0.1:4566");
    expect(signed["x-amz-security-token"]).toBe("session-token");
    expect(signed.authorization).toContain("SignedHeaders=host;x-amz-date;x-amz-security-token,");
  });

  it("formats the SigV4 date without separators or milliseconds", () => {
    expect(amzDate(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102T030405Z");
  });

  it("agrees with the AWS SDK's signer on any JSON-protocol request", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("secretsmanager", "dynamodb", "events"),
        fc.constantFrom("eu-central-1", "us-east-1", "ap-southeast-2"),
        fc.string({ maxLength: 300 }),
        fc.option(fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom(..."abcXYZ019/+=") }), {
          nil: undefined,
        }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        async (service, region, body, sessionToken, epochMs) => {
          // Prepare
          const credentials =
            sessionToken === undefined ? SUITE_CREDENTIALS : { ...SUITE_CREDENTIALS, sessionToken };
          const date = new Date(Math.floor(epochMs / 1000) * 1000);
          const headers = {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": `${service}.Operation`,
          };
          const host = `${service}.${region}.amazonaws.com`;
          const sdk = new SignatureV4({
            credentials,
            region,
            service,
            sha256: NodeSha256,
            applyChecksum: false,
          });

          // Act
          const ours = signRequest(
            { method: "POST", url: new URL(`https://${host}/`), headers, body, region, service },
            credentials,
            date,
          );
          const theirs = await sdk.sign(
            {
              method: "POST",
              protocol: "https:",
              hostname: host,
              path: "/",
              query: {},
              headers: { ...headers, host },
              body,
            },
            { signingDate: date },
          );

          // Assess
          expect(ours.authorization).toBe(theirs.headers.authorization);
        },
      ),
      { numRuns: 100 },
    );
  });
});
