/**
 * Arguments of {@link LemonEventReconciler}, their defaults and their validation (pure, so it runs before any
 * resource is registered and a bad argument leaves nothing half-built).
 */
import * as pulumi from "@pulumi/pulumi";
import { NUMBER_RULES } from "../../lambda/receiver/config";
import { RECONCILER_NUMBER_RULES, windowProblems } from "../../lambda/reconciler/config";
import { EVENT_TYPE_PATTERN } from "../lemon-api/event-types";
import { DEFAULT_LAMBDA_LOG_LEVEL, type LambdaLogLevel, logLevelProblem } from "../shared/lambda-settings";
import { recoveryWindowProblem } from "../shared/secret-retention";
import { LOG_RETENTION_DAYS } from "../receiver/validate";
import { API_KEY_CONFIG_KEY, API_KEY_ENV_VAR } from "../registration/types";

/**
 * What the reconciler needs from the receiver it backs up: only its events table. Missed events are stored
 * there and the receiver's forwarder takes them from the table's stream to the bus, like any delivery.
 */
export interface ReconcilerTargets {
  /** Name and ARN of the receiver's events table (missed events are stored there; the watermark lives there). */
  readonly dedupeTableName: pulumi.Input<string>;
  readonly dedupeTableArn: pulumi.Input<string>;
}

/** Arguments of {@link LemonEventReconciler}. */
export interface LemonEventReconcilerArgs extends ReconcilerTargets {
  /** Event types the webhook is registered for; only these are stored. Required, non-empty. */
  readonly events: readonly string[];
  /**
   * The lemon.markets API key. Default: the stack config secret `lemonmarkets:apiKey`. Stored in the
   * reconciler's own Secrets Manager secret; always treated as a Pulumi secret.
   */
  readonly apiKey?: pulumi.Input<string>;
  /** API root ending in `/v1`. Default the sandbox; set `https://api.lemon.markets/v1` for production. */
  readonly apiBaseUrl?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Principal` of the events requests. Default: the reconciler's. */
  readonly privacyPrincipal?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Justification` of the events requests. Default: the reconciler's. */
  readonly privacyJustification?: pulumi.Input<string>;
  /** Minutes between runs, 1–1440. Default 15. */
  readonly intervalMinutes?: number;
  /** How far before the watermark each run re-reads, in seconds (absorbs clock skew). Default 600. */
  readonly overlapSeconds?: number;
  /**
   * How far back the first run (no watermark yet) reads, in seconds. Default `intervalMinutes × 60 +
   * overlapSeconds`: the first run comes about one interval after the deploy, so it reads only what this
   * stack could have received (capped at half of `dedupeTtlSeconds`). Set it larger only when adding a
   * reconciler to a receiver that already ran: the first run then forwards what that receiver missed in the
   * lookback, and the "recovered" alarm fires for them.
   */
  readonly initialLookbackSeconds?: number;
  /**
   * Only events created at least this many seconds before a run are processed, 0–3600. Default 300: younger
   * events are left to their webhook delivery, so normal traffic is never "recovered".
   */
  readonly settleSeconds?: number;
  /** Must equal the receiver's `dedupeTtlSeconds`. Default 604800. */
  readonly dedupeTtlSeconds?: number;
  /** Lambda timeout in seconds, 60–900. Default 300. */
  readonly timeoutSeconds?: number;
  /** Lambda memory in MB, 128–10240. Default 256. */
  readonly memorySize?: number;
  /** Log retention in days. Default 30. */
  readonly logRetentionDays?: number;
  /** Application log level of the Lambda (TRACE, DEBUG, INFO, WARN, ERROR, FATAL). Default INFO. */
  readonly logLevel?: LambdaLogLevel;
  /**
   * Days Secrets Manager keeps the API-key secret restorable after it is deleted: 0 (at once) or 7–30.
   * Default 0: `pulumi destroy` leaves no copy of the live API key behind (it stays in stack config).
   */
  readonly secretRecoveryWindowInDays?: number;
  /** SNS topic the alarms notify. Default: alarms without actions. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Directory holding the built reconciler bundle. Default `dist/lambda-bundle/reconciler` of the package. */
  readonly lambdaBundleDir?: string;
  /** Tags added to every taggable child. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The `reconciler` argument of `LemonWebhookReceiver`: the receiver supplies the table, event types, API base
 * URL, privacy headers, TTL, log retention, log level, alarm topic and tags; these stay tunable.
 */
export type ReceiverReconcilerOptions = Pick<
  LemonEventReconcilerArgs,
  | "apiKey"
  | "intervalMinutes"
  | "overlapSeconds"
  | "initialLookbackSeconds"
  | "settleSeconds"
  | "timeoutSeconds"
  | "memorySize"
  | "lambdaBundleDir"
>;

/** The arguments validation looks at: everything except the receiver's resources. */
export type ReconcilerSettingsArgs = Omit<LemonEventReconcilerArgs, keyof ReconcilerTargets>;

/**
 * The reconciler settings a receiver implies: its options plus the receiver's event types, dedupe TTL, log
 * retention, log level and recovery window (the receiver and the reconciler must agree on the first two).
 */
export function reconcilerSettings(
  options: ReceiverReconcilerOptions,
  receiver: {
    readonly events: readonly string[];
    readonly dedupeTtlSeconds: number;
    readonly logRetentionDays: number;
    readonly logLevel: LambdaLogLevel;
    readonly secretRecoveryWindowInDays: number;
  },
): ReconcilerSettingsArgs {
  return {
    ...options,
    events: receiver.events,
    dedupeTtlSeconds: receiver.dedupeTtlSeconds,
    logRetentionDays: receiver.logRetentionDays,
    logLevel: receiver.logLevel,
    secretRecoveryWindowInDays: receiver.secretRecoveryWindowInDays,
  };
}

/** Every default, in one place (the docs quote these). */
export const RECONCILER_DEFAULTS = Object.freeze({
  intervalMinutes: 15,
  overlapSeconds: RECONCILER_NUMBER_RULES.overlapSeconds.defaultValue,
  initialLookbackSeconds: RECONCILER_NUMBER_RULES.initialLookbackSeconds.defaultValue,
  settleSeconds: RECONCILER_NUMBER_RULES.settleSeconds.defaultValue,
  dedupeTtlSeconds: NUMBER_RULES.dedupeTtlSeconds.defaultValue,
  timeoutSeconds: 300,
  memorySize: 256,
  logRetentionDays: 30,
  logLevel: DEFAULT_LAMBDA_LOG_LEVEL,
  secretRecoveryWindowInDays: 0,
});

/** The numeric arguments after validation, defaults applied. */
export interface ResolvedReconcilerArgs {
  readonly events: readonly string[];
  readonly intervalMinutes: number;
  readonly overlapSeconds: number;
  readonly initialLookbackSeconds: number;
  readonly settleSeconds: number;
  readonly dedupeTtlSeconds: number;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly logRetentionDays: number;
  readonly logLevel: LambdaLogLevel;
  readonly secretRecoveryWindowInDays: number;
}

/** A reconciler argument is invalid; the message names every offending field and the fix. */
export class ReconcilerArgsError extends Error {
  override readonly name = "ReconcilerArgsError";
  constructor(readonly problems: readonly string[]) {
    super(`LemonEventReconciler: ${problems.join("; ")}`);
  }
}

function whole(
  problems: string[],
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(
      `[${field}] must be a whole number from ${min} to ${max} (got ${value}); omit it for ${fallback}`,
    );
    return fallback;
  }
  return value;
}

/** A CloudWatch Logs retention value (the receiver's rule), or the default when unset. */
function retention(problems: string[], value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    problems.push(
      `[logRetentionDays] must be one of CloudWatch's retention values ${LOG_RETENTION_DAYS.join(", ")} (got ${value}); omit it for ${fallback}`,
    );
    return fallback;
  }
  return value;
}

/**
 * Validates `args` and applies defaults.
 *
 * @throws ReconcilerArgsError naming every bad field.
 * @example
 * validateReconcilerArgs({ events: ["order.executed"] }).intervalMinutes; // 15
 */
export function validateReconcilerArgs(args: ReconcilerSettingsArgs): ResolvedReconcilerArgs {
  const problems: string[] = [];
  const events = Array.isArray(args.events) ? args.events : [];
  if (events.length === 0)
    problems.push('[events] must list at least one event type, e.g. ["order.executed"]');
  const bad = events.filter((type) => typeof type !== "string" || !EVENT_TYPE_PATTERN.test(type));
  if (bad.length > 0)
    problems.push(
      `[events] has invalid types ${bad.map((t) => JSON.stringify(t)).join(", ")}; use <entity>.<action>`,
    );
  const d = RECONCILER_DEFAULTS;
  const o = RECONCILER_NUMBER_RULES.overlapSeconds;
  const l = RECONCILER_NUMBER_RULES.initialLookbackSeconds;
  const st = RECONCILER_NUMBER_RULES.settleSeconds;
  const t = NUMBER_RULES.dedupeTtlSeconds;
  const ttl = whole(problems, "dedupeTtlSeconds", args.dedupeTtlSeconds, t.defaultValue, t.min, t.max);
  const intervalMinutes = whole(
    problems,
    "intervalMinutes",
    args.intervalMinutes,
    d.intervalMinutes,
    1,
    1440,
  );
  const overlapSeconds = whole(problems, "overlapSeconds", args.overlapSeconds, o.defaultValue, o.min, o.max);
  const resolved: ResolvedReconcilerArgs = {
    events: [...new Set(events)],
    intervalMinutes,
    overlapSeconds,
    initialLookbackSeconds: whole(
      problems,
      "initialLookbackSeconds",
      args.initialLookbackSeconds,
      // Unset, the first run reads only what this stack could have received since its deploy (about one
      // interval ago), never further back than the dedupe table remembers.
      Math.min(intervalMinutes * 60 + overlapSeconds, Math.floor(ttl / 2)),
      l.min,
      l.max,
    ),
    settleSeconds: whole(problems, "settleSeconds", args.settleSeconds, st.defaultValue, st.min, st.max),
    dedupeTtlSeconds: ttl,
    timeoutSeconds: whole(problems, "timeoutSeconds", args.timeoutSeconds, d.timeoutSeconds, 60, 900),
    memorySize: whole(problems, "memorySize", args.memorySize, d.memorySize, 128, 10240),
    logRetentionDays: retention(problems, args.logRetentionDays, d.logRetentionDays),
    logLevel: args.logLevel ?? d.logLevel,
    secretRecoveryWindowInDays: args.secretRecoveryWindowInDays ?? d.secretRecoveryWindowInDays,
  };
  const logLevelIssue = logLevelProblem(resolved.logLevel);
  if (logLevelIssue !== undefined) problems.push(`[logLevel] ${logLevelIssue}`);
  const recoveryIssue = recoveryWindowProblem(resolved.secretRecoveryWindowInDays);
  if (recoveryIssue !== undefined) problems.push(`[secretRecoveryWindowInDays] ${recoveryIssue}`);
  // Same rule as the Lambda's config check, phrased for the component's fields.
  for (const problem of windowProblems(resolved)) {
    problems.push(
      problem
        .replace("LEMON_RECONCILER_OVERLAP_SECONDS", "[overlapSeconds]")
        .replace("LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS", "[initialLookbackSeconds]")
        .replace("LEMON_DEDUPE_TTL_SECONDS", "[dedupeTtlSeconds]"),
    );
  }
  if (problems.length > 0) throw new ReconcilerArgsError(problems);
  return resolved;
}

/** The reconciler's API key, or (in a preview without one) an unknown value and the warning that says why. */
export interface ResolvedReconcilerApiKey {
  /** Always a Pulumi secret; unknown in a preview that has no key. */
  readonly value: pulumi.Output<string>;
  /** Set when the preview runs without a key: what `up` will need, to be logged as a warning. */
  readonly warning: string | undefined;
}

/** The fix for a missing key, in every message that reports one. */
export const MISSING_API_KEY_FIX = `run \`pulumi config set --secret ${API_KEY_CONFIG_KEY} <key>\` (or set ${API_KEY_ENV_VAR}, or pass apiKey)`;

/**
 * The API key as a Pulumi secret: `apiKey` if given, else the config secret `lemonmarkets:apiKey`, else
 * `LEMON_MARKETS_API_KEY` from the environment (the registration's order; a blank value counts as unset).
 *
 * A preview without any key still runs (a CI preview from a checkout whose stack has no key yet must show its
 * diff): the key is unknown in it, and the returned warning says that `up` needs it and how to set it.
 *
 * @throws ReconcilerArgsError naming the config command when none is set, outside a preview.
 */
export function resolveReconcilerApiKey(
  apiKey: pulumi.Input<string> | undefined,
  env: NodeJS.ProcessEnv = process.env,
  dryRun: boolean = pulumi.runtime.isDryRun(),
): ResolvedReconcilerApiKey {
  if (apiKey !== undefined) return { value: pulumi.secret(apiKey), warning: undefined };
  const [namespace, key] = API_KEY_CONFIG_KEY.split(":") as [string, string];
  const fromConfig = new pulumi.Config(namespace).getSecret(key);
  if (fromConfig !== undefined) return { value: fromConfig, warning: undefined };
  const fromEnv = env[API_KEY_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== "")
    return { value: pulumi.secret(fromEnv), warning: undefined };
  if (!dryRun) throw new ReconcilerArgsError([`[apiKey] is not set: ${MISSING_API_KEY_FIX}`]);
  return {
    value: pulumi.secret(pulumi.output(pulumi.unknown) as pulumi.Output<string>),
    warning:
      `The lemon.markets API key is not set, so this preview shows the reconciler's API-key secret as unknown; ` +
      `\`pulumi up\` will stop until you ${MISSING_API_KEY_FIX}`,
  };
}
