/**
 * Options of the lemon.markets client, their documented defaults, and the validation that turns bad input
 * into an error naming the option and the fix (never echoing the API key).
 */
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../contract/backoff";

import { PRODUCTION_BASE_URL, SANDBOX_BASE_URL } from "../../contract/lemon-markets";

export { PRODUCTION_BASE_URL, SANDBOX_BASE_URL };
/** Who acts, sent as `LMG-Data-Privacy-Access-Principal` (lemon.markets logs it for data-access audits). */
export const DEFAULT_PRIVACY_PRINCIPAL = "lemon-webhooks/pulumi (automated infrastructure)";
/** Why, sent as `LMG-Data-Privacy-Access-Justification`. */
export const DEFAULT_PRIVACY_JUSTIFICATION = "webhook registration management";
/** lemon.markets' own delivery timeout is 10 s; an API call that takes longer is treated as failed. */
export const DEFAULT_TIMEOUT_MS = 10000;
/** Sent as `User-Agent` unless `userAgent` is given. */
export const DEFAULT_USER_AGENT = "lemon-webhooks";

/** Options of {@link createLemonClient}. Only `apiKey` is required. */
export interface LemonClientOptions {
  /** The lemon.markets API key, sent as `Authorization: Bearer <apiKey>`. Never logged or put in errors. */
  readonly apiKey: string;
  /** API root including `/v1`. Default {@link SANDBOX_BASE_URL}; a trailing slash is ignored. */
  readonly baseUrl?: string;
  /** `LMG-Data-Privacy-Access-Principal`: who acts. Default {@link DEFAULT_PRIVACY_PRINCIPAL}. */
  readonly privacyPrincipal?: string;
  /** `LMG-Data-Privacy-Access-Justification`: why. Default {@link DEFAULT_PRIVACY_JUSTIFICATION}. */
  readonly privacyJustification?: string;
  /** Per-request timeout in ms. Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Retry policy of list/delete/events (create is never retried); unset fields keep their defaults. */
  readonly retry?: Partial<RetryPolicy>;
  /** `User-Agent` header. Default {@link DEFAULT_USER_AGENT}. */
  readonly userAgent?: string;
  /** Waits between retries; injectable so tests need not wait. Default: a `setTimeout` promise. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Clock for `Retry-After` HTTP-dates, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** {@link LemonClientOptions} with every default applied and every value checked. */
export interface ResolvedClientOptions {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly privacyPrincipal: string;
  readonly privacyJustification: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

const PREFIX = "lemon.markets client:";
// Header values must be visible ASCII: anything else is rejected by Node or could smuggle extra headers.
const HEADER_VALUE = /^[\x20-\x7e]+$/;
const MAX_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_RETRIES = 10;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies defaults and validates.
 *
 * @throws TypeError or RangeError whose message names the option and how to fix it.
 */
export function resolveClientOptions(options: LemonClientOptions): ResolvedClientOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${PREFIX} options must be an object with at least apiKey`);
  }
  return {
    apiKey: checkApiKey(options.apiKey),
    baseUrl: checkBaseUrl(options.baseUrl ?? SANDBOX_BASE_URL),
    privacyPrincipal: checkHeaderText(
      "privacyPrincipal",
      options.privacyPrincipal ?? DEFAULT_PRIVACY_PRINCIPAL,
    ),
    privacyJustification: checkHeaderText(
      "privacyJustification",
      options.privacyJustification ?? DEFAULT_PRIVACY_JUSTIFICATION,
    ),
    timeoutMs: checkWholeMs("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
    retry: checkRetry(options.retry ?? {}),
    userAgent: checkHeaderText("userAgent", options.userAgent ?? DEFAULT_USER_AGENT),
    sleep: checkFunction("sleep", options.sleep) ?? defaultSleep,
    random: checkFunction("random", options.random) ?? Math.random,
    now: checkFunction("now", options.now) ?? Date.now,
  };
}

function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new TypeError(
      `${PREFIX} apiKey is empty — pass the lemon.markets API key (pulumi config set --secret lemonmarkets:apiKey <key>)`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    // The key itself is deliberately not quoted: error messages end up in logs.
    throw new TypeError(
      `${PREFIX} apiKey contains spaces, line breaks or non-ASCII characters — copy the key exactly as issued`,
    );
  }
  return apiKey;
}

function checkBaseUrl(baseUrl: unknown): string {
  const fix = `use an absolute http(s) URL ending in /v1, e.g. ${SANDBOX_BASE_URL} or ${PRODUCTION_BASE_URL}`;
  if (typeof baseUrl !== "string" || !URL.canParse(baseUrl)) {
    throw new TypeError(`${PREFIX} baseUrl is not an absolute URL — ${fix}`);
  }
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`${PREFIX} baseUrl must use http or https, not ${url.protocol} — ${fix}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(`${PREFIX} baseUrl must not contain credentials — pass the key as apiKey; ${fix}`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError(`${PREFIX} baseUrl must not have a query or fragment — ${fix}`);
  }
  return url.href.replace(/\/+$/, "");
}

function checkHeaderText(field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(
      `${PREFIX} ${field} is empty — give a non-empty value or leave it unset for the default`,
    );
  }
  if (!HEADER_VALUE.test(value)) {
    throw new TypeError(
      `${PREFIX} ${field} contains line breaks or non-ASCII characters — use printable ASCII (it is sent as an HTTP header)`,
    );
  }
  return value;
}

function checkWholeMs(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${PREFIX} ${field} must be a whole number of milliseconds from ${min} to ${max}`);
  }
  return value;
}

function checkRetry(retry: Partial<RetryPolicy>): RetryPolicy {
  if (typeof retry !== "object" || retry === null) {
    throw new TypeError(
      `${PREFIX} retry must be an object like { retries: 4, baseDelayMs: 200, maxDelayMs: 5000 }`,
    );
  }
  const merged = { ...DEFAULT_RETRY_POLICY, ...retry };
  const retries = merged.retries;
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new RangeError(`${PREFIX} retry.retries must be a whole number from 0 to ${MAX_RETRIES}`);
  }
  const policy: RetryPolicy = {
    retries,
    baseDelayMs: checkWholeMs("retry.baseDelayMs", merged.baseDelayMs, 0, MAX_TIMEOUT_MS),
    maxDelayMs: checkWholeMs("retry.maxDelayMs", merged.maxDelayMs, 0, MAX_TIMEOUT_MS),
    maxRetryAfterMs: checkWholeMs("retry.maxRetryAfterMs", merged.maxRetryAfterMs, 0, MAX_TIMEOUT_MS),
  };
  if (policy.maxDelayMs < policy.baseDelayMs) {
    throw new RangeError(`${PREFIX} retry.maxDelayMs must be at least retry.baseDelayMs`);
  }
  return policy;
}

function checkFunction<F>(field: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${PREFIX} ${field} must be a function or unset`);
  }
  return value;
}
