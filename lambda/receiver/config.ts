/**
 * Reads and validates the receiver's environment (names in `env-names.ts`). Every problem is collected and
 * reported at once, each naming the variable and how to fix it, so a misconfigured deployment is diagnosed in
 * one log line instead of one redeploy per variable.
 */
import { ENV_NAMES } from "../../contract/env-names";
import { ConfigError } from "../core/errors";
import type { SignatureScheme } from "../../contract/signature";
import { parseSignatureScheme, SignatureSchemeError } from "../../contract/signature-presets";

/** Validated receiver settings. Durations are seconds, sizes bytes. */
export interface ReceiverConfig {
  readonly secretArn: string;
  readonly dedupeTable: string;
  readonly rotationGraceSeconds: number;
  readonly dedupeTtlSeconds: number;
  readonly maxBodyBytes: number;
  readonly secretCacheSeconds: number;
  /** How deliveries are signed; default `lemon-default`. */
  readonly signatureScheme: SignatureScheme;
}

/** Environment as a plain map (`process.env` fits). */
export type Env = Readonly<Record<string, string | undefined>>;

interface NumberRule {
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  readonly why: string;
}

/** Defaults and bounds of the numeric settings; bounds keep a typo from disabling a guarantee. */
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

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

function readString(env: Env, key: "secretArn" | "dedupeTable", problems: string[]): string {
  const name = ENV_NAMES[key];
  const value = env[name]?.trim() ?? "";
  if (value.length === 0) problems.push(`${name} is not set; set it to the ${describe(key)}`);
  return value;
}

function describe(key: "secretArn" | "dedupeTable"): string {
  if (key === "secretArn") return "ARN of the Secrets Manager secret holding the signature secret";
  return "name of the DynamoDB table events are stored in";
}

function readNumber(env: Env, key: keyof typeof NUMBER_RULES, problems: string[]): number {
  const name = ENV_NAMES[key];
  const rule: NumberRule = NUMBER_RULES[key];
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return rule.defaultValue;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    problems.push(`${name} is "${raw}"; set a whole number from ${rule.why} (default ${rule.defaultValue})`);
    return rule.defaultValue;
  }
  return value;
}

function readSignatureScheme(env: Env, problems: string[]): SignatureScheme {
  try {
    return parseSignatureScheme(env[ENV_NAMES.signatureScheme], ENV_NAMES.signatureScheme);
  } catch (error) {
    if (!(error instanceof SignatureSchemeError)) throw error;
    problems.push(`${error.message}; set it to a preset name or a JSON scheme (docs/signature-schemes.md)`);
    return parseSignatureScheme(undefined);
  }
}

/**
 * Validated config from `env`; throws {@link ConfigError} naming every missing or invalid variable.
 *
 * @example
 * const config = readConfig(process.env); // config.maxBodyBytes === 65536 unless LEMON_MAX_BODY_BYTES is set
 */
export function readConfig(env: Env): ReceiverConfig {
  const problems: string[] = [];
  const secretArn = readString(env, "secretArn", problems);
  if (secretArn !== "" && !SECRETS_MANAGER_ARN.test(secretArn)) {
    // The value is an ARN by contract; if someone put the secret itself here, do not echo it back.
    problems.push(
      `${ENV_NAMES.secretArn} is not a Secrets Manager secret ARN; set it to the secret's ARN (arn:aws:secretsmanager:…), never the secret value`,
    );
  }
  const config: ReceiverConfig = {
    secretArn,
    dedupeTable: readString(env, "dedupeTable", problems),
    rotationGraceSeconds: readNumber(env, "rotationGraceSeconds", problems),
    dedupeTtlSeconds: readNumber(env, "dedupeTtlSeconds", problems),
    maxBodyBytes: readNumber(env, "maxBodyBytes", problems),
    secretCacheSeconds: readNumber(env, "secretCacheSeconds", problems),
    signatureScheme: readSignatureScheme(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
