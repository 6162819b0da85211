/**
 * Reads and validates the reconciler's environment. Like the receiver's `config.ts`, every problem is
 * collected and reported at once, each naming the variable and the fix.
 */
import { type Env, NUMBER_RULES } from "../receiver/config";
import { ENV_NAMES } from "../../contract/env-names";
import { ENVELOPE_TYPE_PATTERN } from "../../contract/event";
import { ConfigError } from "../core/errors";
import { RECONCILER_ENV_NAMES } from "../../contract/reconciler-env-names";

/** The sandbox API; kept equal to `SANDBOX_BASE_URL` of components/lemon-api by a test, not an import. */
export const DEFAULT_API_BASE_URL = "https://sandbox.api.lemon.markets/v1";
/** Who reads the events, for lemon.markets' data-access audit. */
export const DEFAULT_RECONCILER_PRINCIPAL = "lemon-webhooks/reconciler (automated reconciliation)";
/** Why the events are read. */
export const DEFAULT_RECONCILER_JUSTIFICATION = "reconcile missed webhook deliveries";

/**
 * Defaults and bounds of the reconciler's numeric settings, in seconds.
 *
 * - `initialLookbackSeconds` 1500 = the default 15-minute interval + the default 600 s overlap: the first run
 *   comes about one interval after the deploy, so it reads only what the new stack could have received. A
 *   longer lookback is an explicit opt-in (a reconciler added to a receiver that already ran), and would
 *   otherwise forward a day of history and fire the "webhooks are failing" alarm on every fresh deploy.
 *   The component sets it from its own interval and overlap.
 * - `settleSeconds` 300: a run processes only events created at least this long before it started, so it
 *   does not race the webhook delivery of an event created seconds ago (lemon.markets usually delivers
 *   within seconds; its retries take longer, and those are what the reconciler is for).
 */
export const RECONCILER_NUMBER_RULES = {
  overlapSeconds: { defaultValue: 600, min: 0, max: 86_400, why: "0 to 86400 (one day)" },
  initialLookbackSeconds: { defaultValue: 1_500, min: 0, max: 30 * 86_400, why: "0 to 30 days" },
  settleSeconds: { defaultValue: 300, min: 0, max: 3_600, why: "0 to 3600 (one hour)" },
} as const;

/** Validated reconciler settings. */
export interface ReconcilerConfig {
  readonly apiKeySecretArn: string;
  readonly dedupeTable: string;
  readonly eventTypes: readonly string[];
  readonly overlapSeconds: number;
  readonly initialLookbackSeconds: number;
  readonly settleSeconds: number;
  readonly dedupeTtlSeconds: number;
  readonly apiBaseUrl: string;
  readonly privacyPrincipal: string;
  readonly privacyJustification: string;
}

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const HEADER_TEXT = /^[\x20-\x7e]+$/;

interface Rule {
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  readonly why: string;
}

function readNumber(env: Env, name: string, rule: Rule, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return rule.defaultValue;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    problems.push(`${name} is "${raw}"; set a whole number from ${rule.why} (default ${rule.defaultValue})`);
    return rule.defaultValue;
  }
  return value;
}

function readRequired(env: Env, name: string, what: string, problems: string[]): string {
  const value = env[name]?.trim() ?? "";
  if (value === "") problems.push(`${name} is not set; set it to the ${what}`);
  return value;
}

function readEventTypes(env: Env, problems: string[]): string[] {
  const name = RECONCILER_ENV_NAMES.eventTypes;
  const raw = readRequired(env, name, "comma-separated event types the webhook is registered for", problems);
  const types = raw
    .split(",")
    .map((type) => type.trim())
    .filter((type) => type !== "");
  const bad = types.filter((type) => !ENVELOPE_TYPE_PATTERN.test(type));
  if (bad.length > 0) {
    problems.push(
      `${name} has invalid types ${bad.map((t) => JSON.stringify(t)).join(", ")}; use <entity>.<action>`,
    );
  }
  return [...new Set(types)];
}

function readHeaderText(env: Env, name: string, fallback: string, problems: string[]): string {
  const value = env[name]?.trim() || fallback;
  if (!HEADER_TEXT.test(value))
    problems.push(`${name} must be printable ASCII (it is sent as an HTTP header)`);
  return value;
}

function readBaseUrl(env: Env, problems: string[]): string {
  const name = RECONCILER_ENV_NAMES.apiBaseUrl;
  const value = env[name]?.trim() || DEFAULT_API_BASE_URL;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "") {
    problems.push(`${name} is not an http(s) URL without query; set it to e.g. ${DEFAULT_API_BASE_URL}`);
    return DEFAULT_API_BASE_URL;
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Validated config from `env`; throws {@link ConfigError} naming every missing or invalid variable.
 *
 * @example
 * const config = readReconcilerConfig(process.env); // config.overlapSeconds === 600 unless set
 */
export function readReconcilerConfig(env: Env): ReconcilerConfig {
  const problems: string[] = [];
  const apiKeySecretArn = readRequired(
    env,
    RECONCILER_ENV_NAMES.apiKeySecretArn,
    "ARN of the Secrets Manager secret holding the lemon.markets API key",
    problems,
  );
  if (apiKeySecretArn !== "" && !SECRETS_MANAGER_ARN.test(apiKeySecretArn)) {
    // Never echo the value: if the key itself was put here, it must not reach the logs.
    problems.push(
      `${RECONCILER_ENV_NAMES.apiKeySecretArn} is not a Secrets Manager secret ARN; set it to the secret's ARN, never the key`,
    );
  }
  const config: ReconcilerConfig = {
    apiKeySecretArn,
    dedupeTable: readRequired(env, ENV_NAMES.dedupeTable, "name of the DynamoDB dedupe table", problems),
    eventTypes: readEventTypes(env, problems),
    overlapSeconds: readNumber(
      env,
      RECONCILER_ENV_NAMES.overlapSeconds,
      RECONCILER_NUMBER_RULES.overlapSeconds,
      problems,
    ),
    initialLookbackSeconds: readNumber(
      env,
      RECONCILER_ENV_NAMES.initialLookbackSeconds,
      RECONCILER_NUMBER_RULES.initialLookbackSeconds,
      problems,
    ),
    settleSeconds: readNumber(
      env,
      RECONCILER_ENV_NAMES.settleSeconds,
      RECONCILER_NUMBER_RULES.settleSeconds,
      problems,
    ),
    dedupeTtlSeconds: readNumber(env, ENV_NAMES.dedupeTtlSeconds, NUMBER_RULES.dedupeTtlSeconds, problems),
    apiBaseUrl: readBaseUrl(env, problems),
    privacyPrincipal: readHeaderText(
      env,
      RECONCILER_ENV_NAMES.privacyPrincipal,
      DEFAULT_RECONCILER_PRINCIPAL,
      problems,
    ),
    privacyJustification: readHeaderText(
      env,
      RECONCILER_ENV_NAMES.privacyJustification,
      DEFAULT_RECONCILER_JUSTIFICATION,
      problems,
    ),
  };
  problems.push(...windowProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Every event a run re-reads must still be remembered by the dedupe table, or it would be forwarded twice:
 * the windows must be shorter than the dedupe TTL.
 */
export function windowProblems(
  config: Pick<ReconcilerConfig, "overlapSeconds" | "initialLookbackSeconds" | "dedupeTtlSeconds">,
): string[] {
  const problems: string[] = [];
  if (config.overlapSeconds >= config.dedupeTtlSeconds) {
    problems.push(
      `${RECONCILER_ENV_NAMES.overlapSeconds} (${config.overlapSeconds}) must be shorter than ${ENV_NAMES.dedupeTtlSeconds} (${config.dedupeTtlSeconds}); lower the overlap`,
    );
  }
  if (config.initialLookbackSeconds >= config.dedupeTtlSeconds) {
    problems.push(
      `${RECONCILER_ENV_NAMES.initialLookbackSeconds} (${config.initialLookbackSeconds}) must be shorter than ${ENV_NAMES.dedupeTtlSeconds} (${config.dedupeTtlSeconds}); lower the lookback`,
    );
  }
  return problems;
}
