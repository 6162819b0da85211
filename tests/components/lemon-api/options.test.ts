import { inspect } from "node:util";
import {
  DEFAULT_PRIVACY_JUSTIFICATION,
  DEFAULT_PRIVACY_PRINCIPAL,
  DEFAULT_RETRY_POLICY,
  type LemonClientOptions,
  PRODUCTION_BASE_URL,
  SANDBOX_BASE_URL,
} from "../../../components/lemon-api";
import { resolveClientOptions } from "../../../components/lemon-api/options";

const API_KEY = "sk_test_options_5b1f2c";

describe("Function: resolveClientOptions", () => {
  it("applies the documented defaults when only apiKey is given", () => {
    // Act
    const resolved = resolveClientOptions({ apiKey: API_KEY });

    // Assess
    expect(resolved).toEqual({
      apiKey: API_KEY,
      baseUrl: SANDBOX_BASE_URL,
      privacyPrincipal: "lemon-webhooks/pulumi (automated infrastructure)",
      privacyJustification: "webhook registration management",
      timeoutMs: 10000,
      retry: { retries: 4, baseDelayMs: 200, maxDelayMs: 5000, maxRetryAfterMs: 30000 },
      userAgent: "lemon-webhooks",
      sleep: expect.any(Function),
      random: Math.random,
      now: Date.now,
    });
    expect(DEFAULT_PRIVACY_PRINCIPAL).toBe(resolved.privacyPrincipal);
    expect(DEFAULT_PRIVACY_JUSTIFICATION).toBe(resolved.privacyJustification);
    expect(SANDBOX_BASE_URL).toBe("https://sandbox.api.lemon.markets/v1");
    expect(PRODUCTION_BASE_URL).toBe("https://api.lemon.markets/v1");
  });

  it.each([
    ["https://api.lemon.markets/v1/", "https://api.lemon.markets/v1"],
    ["https://api.lemon.markets/v1//", "https://api.lemon.markets/v1"],
    ["http://127.0.0.1:4010/v1", "http://127.0.0.1:4010/v1"],
    ["HTTPS://API.LEMON.MARKETS/v1", "https://api.lemon.markets/v1"],
  ])("normalises baseUrl %s to %s", (baseUrl, expected) => {
    expect(resolveClientOptions({ apiKey: API_KEY, baseUrl }).baseUrl).toBe(expected);
  });

  it("merges a partial retry policy over the defaults", () => {
    // Act
    const resolved = resolveClientOptions({ apiKey: API_KEY, retry: { retries: 1 } });

    // Assess
    expect(resolved.retry).toEqual({ ...DEFAULT_RETRY_POLICY, retries: 1 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "an empty apiKey",
      { apiKey: "" },
      /apiKey is empty — pass the lemon\.markets API key \(pulumi config set --secret lemonmarkets:apiKey/,
    ],
    ["a blank apiKey", { apiKey: "   " }, /apiKey is empty/],
    ["a missing apiKey", { apiKey: undefined }, /apiKey is empty/],
    [
      "an apiKey with a line break",
      { apiKey: "abc\n" },
      /apiKey contains spaces, line breaks or non-ASCII characters/,
    ],
    [
      "a relative baseUrl",
      { baseUrl: "/v1" },
      /baseUrl is not an absolute URL — use an absolute http\(s\) URL ending in \/v1/,
    ],
    ["an ftp baseUrl", { baseUrl: "ftp://api.lemon.markets/v1" }, /baseUrl must use http or https, not ftp:/],
    [
      "a baseUrl with credentials",
      { baseUrl: "https://user:pw@api.lemon.markets/v1" },
      /baseUrl must not contain credentials/,
    ],
    [
      "a baseUrl with a query",
      { baseUrl: "https://api.lemon.markets/v1?x=1" },
      /baseUrl must not have a query or fragment/,
    ],
    [
      "an empty privacyPrincipal",
      { privacyPrincipal: "" },
      /privacyPrincipal is empty — give a non-empty value/,
    ],
    [
      "a privacyJustification with CRLF",
      { privacyJustification: "a\r\nX-Evil: 1" },
      /privacyJustification contains line breaks/,
    ],
    ["a non-ASCII userAgent", { userAgent: "zitrone🍋" }, /userAgent contains line breaks or non-ASCII/],
    [
      "a zero timeoutMs",
      { timeoutMs: 0 },
      /timeoutMs must be a whole number of milliseconds from 1 to 600000/,
    ],
    ["a fractional timeoutMs", { timeoutMs: 1.5 }, /timeoutMs must be a whole number/],
    ["negative retries", { retry: { retries: -1 } }, /retry\.retries must be a whole number from 0 to 10/],
    ["too many retries", { retry: { retries: 11 } }, /retry\.retries must be a whole number from 0 to 10/],
    [
      "a NaN baseDelayMs",
      { retry: { baseDelayMs: Number.NaN } },
      /retry\.baseDelayMs must be a whole number/,
    ],
    [
      "maxDelayMs below baseDelayMs",
      { retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      /retry\.maxDelayMs must be at least retry\.baseDelayMs/,
    ],
    ["a non-function sleep", { sleep: 5 }, /sleep must be a function or unset/],
  ])("rejects %s with a message naming the option", (_label, override, message) => {
    // Prepare
    const options = { apiKey: API_KEY, ...override } as LemonClientOptions;

    // Act
    const act = () => resolveClientOptions(options);

    // Assess
    expect(act).toThrow(message);
  });

  it("never quotes the API key in a validation error", () => {
    // Prepare
    const key = "sk_live_with space";
    let caught: unknown;

    // Act
    try {
      resolveClientOptions({ apiKey: key });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(TypeError);
    expect(inspect(caught, { depth: 10, showHidden: true })).not.toContain("sk_live");
  });
});
