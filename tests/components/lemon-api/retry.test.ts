import fc from "fast-check";
import {
  backoffCeilingMs,
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
  type RetryPolicy,
} from "../../../components/lemon-api";

const policyArbitrary: fc.Arbitrary<RetryPolicy> = fc
  .record({ base: fc.integer({ min: 0, max: 10000 }), extra: fc.integer({ min: 0, max: 100000 }) })
  .map(({ base, extra }) => ({
    retries: 4,
    baseDelayMs: base,
    maxDelayMs: base + extra,
    maxRetryAfterMs: 30000,
  }));

describe("Function: backoffDelayMs", () => {
  it("stays within [0, min(maxDelayMs, baseDelayMs * 2^n)] for any retry, policy and random source", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        policyArbitrary,
        fc.oneof(fc.double({ min: -2, max: 3 }), fc.constant(Number.NaN)),
        (retry, policy, draw) => {
          // Prepare
          // Written out independently of the implementation; a zero base has a zero ceiling at every retry.
          const ceiling =
            policy.baseDelayMs === 0 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);

          // Act
          const delay = backoffDelayMs(retry, policy, () => draw);

          // Assess
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it("reaches the ceiling when random returns its maximum and 0 when it returns 0", () => {
    // Prepare
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((retry) => backoffCeilingMs(retry, DEFAULT_RETRY_POLICY));

    // Act
    const highest = [0, 1, 2, 3, 4, 5, 6].map((retry) =>
      backoffDelayMs(retry, DEFAULT_RETRY_POLICY, () => 1),
    );
    const lowest = [0, 1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, DEFAULT_RETRY_POLICY, () => 0));

    // Assess
    expect(ceilings).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(highest).toEqual(ceilings);
    expect(lowest).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("scales linearly with the random draw (full jitter, not equal jitter)", () => {
    expect(backoffDelayMs(2, DEFAULT_RETRY_POLICY, () => 0.25)).toBe(200);
    expect(backoffDelayMs(2, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(400);
  });
});

describe("Function: parseRetryAfterMs", () => {
  const now = Date.parse("2025-01-01T12:00:00Z");

  it.each([
    ["delay-seconds", "1", 1000],
    ["zero seconds", "0", 0],
    ["seconds with surrounding spaces", " 120 ", 120000],
    ["an IMF-fixdate 5 s ahead", "Wed, 01 Jan 2025 12:00:05 GMT", 5000],
    ["an RFC 850 date 2 s ahead", "Wednesday, 01-Jan-25 12:00:02 GMT", 2000],
    ["a date in the past", "Wed, 01 Jan 2025 11:59:00 GMT", 0],
  ])("reads %s", (_label, header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  it.each([
    ["an absent header", undefined],
    ["an empty header", ""],
    ["a negative number", "-1"],
    ["a fraction", "1.5"],
    ["words", "soon"],
    ["an ISO date (not an HTTP-date)", "2025-01-01T12:00:05Z"],
    ["a GMT-suffixed non-date", "tomorrow GMT"],
  ])("returns undefined for %s", (_label, header) => {
    expect(parseRetryAfterMs(header, now)).toBeUndefined();
  });

  it("reads any whole number of seconds as that many thousand milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (seconds) => {
        expect(parseRetryAfterMs(String(seconds), now)).toBe(seconds * 1000);
      }),
    );
  });
});
