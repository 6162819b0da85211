/**
 * Defaults and bounds of the Lambdas' numeric settings, and how an environment value is read against them:
 * the components validate their arguments with the same rules the Lambdas apply to their environment, so what
 * `pulumi up` accepts is what the function accepts at run time. Dependency-free (it is bundled).
 */
import { ENV_NAMES, RECONCILER_ENV_NAMES } from "./env-names";

/** Environment as a plain map (`process.env` fits). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Default and bounds of one numeric setting; `why` says the range in words for error messages. */
export interface NumberRule {
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  readonly why: string;
}

/** The receiver's numeric settings; bounds keep a typo from disabling a guarantee. */
export const NUMBER_RULES = {
  rotationGraceSeconds: { defaultValue: 86_400, min: 0, max: 30 * 86_400, why: "0 to 30 days" },
  dedupeTtlSeconds: {
    defaultValue: 7 * 86_400,
    min: 3_600,
    max: 365 * 86_400,
    why: "1 hour to 365 days; it must outlast lemon.markets' retries",
  },
  maxBodyBytes: {
    defaultValue: 65_536,
    min: 1_024,
    max: 204_800,
    why: "1 KiB to 200 KiB; an EventBridge entry holds at most 256 KiB",
  },
  secretCacheSeconds: { defaultValue: 300, min: 0, max: 3_600, why: "0 to 3600" },
} as const satisfies Record<string, NumberRule>;

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
} as const satisfies Record<string, NumberRule>;

/**
 * The whole number `env[name]` within `rule`, or its default when unset. A bad value is reported in
 * `problems` (naming the variable, the range and the default) and the default returned, so every problem of
 * an environment is reported at once.
 *
 * @example
 * readNumber({ LEMON_MAX_BODY_BYTES: "2048" }, "LEMON_MAX_BODY_BYTES", NUMBER_RULES.maxBodyBytes, problems); // 2048
 */
export function readNumber(env: Env, name: string, rule: NumberRule, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return rule.defaultValue;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    problems.push(`${name} is "${raw}"; set a whole number from ${rule.why} (default ${rule.defaultValue})`);
    return rule.defaultValue;
  }
  return value;
}

/**
 * Every event a run re-reads must still be remembered by the dedupe table, or it would be forwarded twice:
 * the windows must be shorter than the dedupe TTL.
 */
export function windowProblems(config: {
  readonly overlapSeconds: number;
  readonly initialLookbackSeconds: number;
  readonly dedupeTtlSeconds: number;
}): string[] {
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
