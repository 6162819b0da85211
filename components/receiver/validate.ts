/**
 * Pure validation of the receiver's arguments. Every check runs before any child resource exists, so a bad
 * value fails the program with one message naming the field and the fix instead of half a stack.
 */
import type * as pulumi from "@pulumi/pulumi";
import { NUMBER_RULES } from "../../lambda/receiver/config";
import type { SignatureScheme } from "../../contract/signature";
import { parseSignatureScheme, SignatureSchemeError } from "../../contract/signature-presets";
import { EVENT_TYPE_PATTERN, isPublishedEventType } from "../lemon-api/event-types";
import { type LemonWebhookReceiverArgs, RECEIVER_DEFAULTS, type ResolvedReceiverArgs } from "./args";
import { logLevelProblem } from "../shared/lambda-settings";
import { recoveryWindowProblem } from "../shared/secret-retention";

/** A receiver or subscription argument is invalid; `field` names it as the user wrote it. */
export class ReceiverArgsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`[${field}] ${message}`);
    this.name = "ReceiverArgsError";
  }
}

/** The retention values CloudWatch Logs accepts (0, "never expire", is excluded: logs must expire). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** lemon.markets must get a 200 within 10 s; the Lambda has to give up (and answer) before that. */
export const MAX_TIMEOUT_SECONDS = 9;

/**
 * Longest component name: the replay archive is named `<name>-archive` plus Pulumi's 8-character random
 * suffix, and EventBridge archive names are at most 48 characters.
 */
export const MAX_COMPONENT_NAME_LENGTH = 32;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// Plain path segments only: a `{param}` or greedy segment would need a wildcard in the Lambda permission.
const ROUTE_PATH_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SNS_TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const EVENT_BUS_ARN_PATTERN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;
const EVENT_BUS_NAME_PATTERN = /^[A-Za-z0-9._\-/]{1,256}$/;

/**
 * Checks a component (or subscription) name: it prefixes every child name, which AWS limits in length and
 * characters.
 */
export function validateName(name: string, field = "name", maxLength = MAX_COMPONENT_NAME_LENGTH): void {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new ReceiverArgsError(
      field,
      `must be letters, digits and '-', starting with a letter or digit (got ${JSON.stringify(name)}); e.g. "lemon"`,
    );
  }
  if (name.length > maxLength) {
    throw new ReceiverArgsError(
      field,
      `is ${name.length} characters; use at most ${maxLength} so derived AWS resource names fit their limits`,
    );
  }
}

/**
 * Checks an event type list: non-empty, unique, each `<entity>.<action>`. Returns the types outside the
 * published list, which the caller warns about (lemon.markets keeps adding types).
 */
export function validateEventTypes(events: readonly string[] | undefined, field: string): string[] {
  if (!Array.isArray(events) || events.length === 0) {
    throw new ReceiverArgsError(field, `must list at least one event type, e.g. ["order.executed"]`);
  }
  const seen = new Set<string>();
  for (const [index, type] of events.entries()) {
    if (typeof type !== "string" || !EVENT_TYPE_PATTERN.test(type)) {
      throw new ReceiverArgsError(
        `${field}[${index}]`,
        `must look like "<entity>.<action>" in lowercase, e.g. "order.executed" (got ${JSON.stringify(type)})`,
      );
    }
    if (seen.has(type)) {
      throw new ReceiverArgsError(`${field}[${index}]`, `duplicates "${type}"; list each event type once`);
    }
    seen.add(type);
  }
  return events.filter((type) => !isPublishedEventType(type));
}

/** Checks the route path: starts with `/`, plain segments, no trailing slash. */
export function validateRoutePath(path: string, field = "routePath"): void {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new ReceiverArgsError(
      field,
      `must start with "/" (got ${JSON.stringify(path)}); e.g. "/webhooks/lemon-markets"`,
    );
  }
  if (!ROUTE_PATH_PATTERN.test(path)) {
    throw new ReceiverArgsError(
      field,
      `must be "/"-separated segments of letters, digits, ".", "_", "~" or "-", without a trailing "/" or ` +
        `{parameters} (got ${JSON.stringify(path)}); e.g. "/webhooks/lemon-markets"`,
    );
  }
}

/** Checks an integer within `[min, max]`; the message states the range. */
export function validateIntegerInRange(value: number, field: string, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ReceiverArgsError(field, `must be a whole number from ${min} to ${max} (got ${String(value)})`);
  }
}

/** Checks a positive number (rates may be fractional). */
export function validatePositive(value: number, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ReceiverArgsError(field, `must be a positive number (got ${String(value)})`);
  }
}

/** Checks a CloudWatch Logs retention value. */
export function validateLogRetention(days: number, field = "logRetentionDays"): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new ReceiverArgsError(
      field,
      `must be one of CloudWatch's retention values ${LOG_RETENTION_DAYS.join(", ")} (got ${String(days)})`,
    );
  }
}

/** Checks the alarm destination: at most one of an email and a topic ARN, each well-formed when known. */
export function validateAlarmDestination(
  alarmEmail: string | undefined,
  alarmTopicArn: pulumi.Input<string> | undefined,
): void {
  if (alarmEmail !== undefined && alarmTopicArn !== undefined) {
    throw new ReceiverArgsError(
      "alarmEmail",
      "Only one of [alarmEmail] and [alarmTopicArn] can be specified; drop one of them",
    );
  }
  if (alarmEmail !== undefined && (typeof alarmEmail !== "string" || !EMAIL_PATTERN.test(alarmEmail))) {
    throw new ReceiverArgsError("alarmEmail", `must be an email address, e.g. "ops@example.com"`);
  }
  if (typeof alarmTopicArn === "string" && !SNS_TOPIC_ARN_PATTERN.test(alarmTopicArn)) {
    throw new ReceiverArgsError(
      "alarmTopicArn",
      `must be an SNS topic ARN, e.g. "arn:aws:sns:eu-central-1:123456789012:alarms" (got ${JSON.stringify(alarmTopicArn)})`,
    );
  }
}

/** Checks an existing bus: its name and ARN, where they are already known strings. */
export function validateEventBus(bus: LemonWebhookReceiverArgs["eventBus"]): void {
  if (bus === undefined) return;
  if (typeof bus.name === "string" && !EVENT_BUS_NAME_PATTERN.test(bus.name)) {
    throw new ReceiverArgsError(
      "eventBus.name",
      `must be an EventBridge bus name (letters, digits, ".", "_", "-", "/"), got ${JSON.stringify(bus.name)}`,
    );
  }
  if (typeof bus.arn === "string" && !EVENT_BUS_ARN_PATTERN.test(bus.arn)) {
    throw new ReceiverArgsError(
      "eventBus.arn",
      `must be an EventBridge bus ARN, e.g. "arn:aws:events:eu-central-1:123456789012:event-bus/orders" ` +
        `(got ${JSON.stringify(bus.arn)})`,
    );
  }
}

/**
 * Checks the signature scheme (a preset name, JSON string or object) with the Lambda's own parser, so what
 * passes here is what the receiver accepts at run time. `field` is how the user wrote it (an argument or a
 * stack config key).
 */
export function validateSignatureScheme(input: unknown, field = "signatureScheme"): SignatureScheme {
  try {
    return parseSignatureScheme(input as Parameters<typeof parseSignatureScheme>[0], field);
  } catch (error) {
    if (!(error instanceof SignatureSchemeError)) throw error;
    throw new ReceiverArgsError(error.field, error.problem);
  }
}

/** Validates every argument and fills in the defaults. Throws {@link ReceiverArgsError} on the first problem. */
export function validateReceiverArgs(args: LemonWebhookReceiverArgs): ResolvedReceiverArgs {
  if (args === undefined || args === null || typeof args !== "object") {
    throw new ReceiverArgsError("args", `must be an object with at least { events: ["order.executed"] }`);
  }
  const unpublishedEvents = validateEventTypes(args.events, "events");
  const routePath = args.routePath ?? RECEIVER_DEFAULTS.routePath;
  validateRoutePath(routePath);

  const rateLimit = args.throttling?.rateLimit ?? RECEIVER_DEFAULTS.throttling.rateLimit;
  const burstLimit = args.throttling?.burstLimit ?? RECEIVER_DEFAULTS.throttling.burstLimit;
  validatePositive(rateLimit, "throttling.rateLimit");
  validateIntegerInRange(burstLimit, "throttling.burstLimit", 1, 5000);

  const logRetentionDays = args.logRetentionDays ?? RECEIVER_DEFAULTS.logRetentionDays;
  validateLogRetention(logRetentionDays);
  const memorySize = args.memorySize ?? RECEIVER_DEFAULTS.memorySize;
  validateIntegerInRange(memorySize, "memorySize", 128, 10240);
  const timeoutSeconds = args.timeoutSeconds ?? RECEIVER_DEFAULTS.timeoutSeconds;
  validateIntegerInRange(timeoutSeconds, "timeoutSeconds", 1, MAX_TIMEOUT_SECONDS);
  if (args.reservedConcurrency !== undefined) {
    validateIntegerInRange(args.reservedConcurrency, "reservedConcurrency", 1, 10000);
  }

  // Bounds are the Lambda's (lambda/receiver/config.ts): what passes here is what the receiver accepts at run time.
  const rules = NUMBER_RULES;
  const rotationGraceSeconds = args.rotationGraceSeconds ?? RECEIVER_DEFAULTS.rotationGraceSeconds;
  // At least 1: a zero grace would reject deliveries signed with the old secret the moment it is replaced.
  validateIntegerInRange(rotationGraceSeconds, "rotationGraceSeconds", 1, rules.rotationGraceSeconds.max);
  const dedupeTtlSeconds = args.dedupeTtlSeconds ?? RECEIVER_DEFAULTS.dedupeTtlSeconds;
  validateIntegerInRange(
    dedupeTtlSeconds,
    "dedupeTtlSeconds",
    rules.dedupeTtlSeconds.min,
    rules.dedupeTtlSeconds.max,
  );
  const maxBodyBytes = args.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes;
  validateIntegerInRange(maxBodyBytes, "maxBodyBytes", rules.maxBodyBytes.min, rules.maxBodyBytes.max);
  const secretCacheSeconds = args.secretCacheSeconds ?? RECEIVER_DEFAULTS.secretCacheSeconds;
  validateIntegerInRange(
    secretCacheSeconds,
    "secretCacheSeconds",
    rules.secretCacheSeconds.min,
    rules.secretCacheSeconds.max,
  );
  const signatureScheme = validateSignatureScheme(args.signatureScheme);
  const archiveRetentionDays = args.archiveRetentionDays ?? RECEIVER_DEFAULTS.archiveRetentionDays;
  validateIntegerInRange(archiveRetentionDays, "archiveRetentionDays", 0, 36_500);

  const logLevel = args.logLevel ?? RECEIVER_DEFAULTS.logLevel;
  const logLevelIssue = logLevelProblem(logLevel);
  if (logLevelIssue !== undefined) throw new ReceiverArgsError("logLevel", logLevelIssue);
  const secretRecoveryWindowInDays =
    args.secretRecoveryWindowInDays ?? RECEIVER_DEFAULTS.secretRecoveryWindowInDays;
  const recoveryIssue = recoveryWindowProblem(secretRecoveryWindowInDays);
  if (recoveryIssue !== undefined) throw new ReceiverArgsError("secretRecoveryWindowInDays", recoveryIssue);

  validateEventBus(args.eventBus);
  validateAlarmDestination(args.alarmEmail, args.alarmTopicArn);
  for (const field of ["lambdaBundleDir", "forwarderBundleDir"] as const) {
    const dir = args[field];
    if (dir !== undefined && (typeof dir !== "string" || dir === "")) {
      throw new ReceiverArgsError(field, "must be a directory path containing index.js");
    }
  }

  return {
    events: [...args.events],
    routePath,
    throttling: { rateLimit, burstLimit },
    logRetentionDays,
    memorySize,
    timeoutSeconds,
    reservedConcurrency: args.reservedConcurrency,
    rotationGraceSeconds,
    dedupeTtlSeconds,
    maxBodyBytes,
    secretCacheSeconds,
    signatureScheme,
    archiveRetentionDays,
    logLevel,
    secretRecoveryWindowInDays,
    unpublishedEvents,
  };
}
