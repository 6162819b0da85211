/**
 * Reads and validates the reconciler's environment. Like the receiver's `config.ts`, every problem is
 * collected and reported at once, each naming the variable and the fix.
 */

import { ENV_NAMES, RECONCILER_ENV_NAMES } from "../../contract/env-names";
import { EVENT_TYPE_PATTERN } from "../../contract/event";
import { SANDBOX_BASE_URL } from "../../contract/lemon-markets";
import {
  type Env,
  NUMBER_RULES,
  RECONCILER_NUMBER_RULES,
  readNumber,
  windowProblems,
} from "../../contract/settings";
import { ConfigError } from "../core/errors";

/** The API the reconciler reads unless told otherwise: the sandbox, as everywhere else. */
export const DEFAULT_API_BASE_URL = SANDBOX_BASE_URL;
/** Who reads the events, for lemon.markets' data-access audit. */
export const DEFAULT_RECONCILER_PRINCIPAL = "lemon-webhooks/reconciler (automated reconciliation)";
/** Why the events are read. */
export const DEFAULT_RECONCILER_JUSTIFICATION = "reconcile missed webhook deliveries";

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
  const bad = types.filter((type) => !EVENT_TYPE_PATTERN.test(type));
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
