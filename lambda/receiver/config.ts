/**
 * Reads and validates the receiver's environment (names in `env-names.ts`). Every problem is collected and
 * reported at once, each naming the variable and how to fix it, so a misconfigured deployment is diagnosed in
 * one log line instead of one redeploy per variable.
 */
import { ENV_NAMES } from "../../contract/env-names";
import { type Env, NUMBER_RULES, readNumber } from "../../contract/settings";
import type { SignatureScheme } from "../../contract/signature";
import { parseSignatureScheme, SignatureSchemeError } from "../../contract/signature-presets";
import { ConfigError } from "../core/errors";

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

function readReceiverNumber(env: Env, key: keyof typeof NUMBER_RULES, problems: string[]): number {
  return readNumber(env, ENV_NAMES[key], NUMBER_RULES[key], problems);
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
    rotationGraceSeconds: readReceiverNumber(env, "rotationGraceSeconds", problems),
    dedupeTtlSeconds: readReceiverNumber(env, "dedupeTtlSeconds", problems),
    maxBodyBytes: readReceiverNumber(env, "maxBodyBytes", problems),
    secretCacheSeconds: readReceiverNumber(env, "secretCacheSeconds", problems),
    signatureScheme: readSignatureScheme(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
