/**
 * The reconciler Lambda's entry point (`index.handler` of dist/lambda-bundle/reconciler), invoked by an
 * EventBridge Scheduler schedule. Builds the AWS adapters from the environment once per container, fetches
 * the API key from its own Secrets Manager secret on every run (a rotated key is used at once), runs one
 * reconciliation, writes one log line and one metrics line, and fails the invocation when the run failed.
 */

import { LOCAL_FUNCTION_NAME } from "../../contract/metrics";
import type { Env } from "../../contract/settings";
import { awsJsonClient } from "../aws";
import { readAwsEnvironment } from "../aws/environment";
import { DynamoDbEventStore } from "../aws/event-store";
import { SecretsManagerSecretSource } from "../aws/secret-source";
import { DynamoDbStoredLookup } from "../aws/stored-lookup";
import { createJsonLogger, type LineWriter, stdoutWriter } from "../core/observability";
import type { Clock } from "../core/ports";
import { type ReconcilerConfig, readReconcilerConfig } from "./config";
import { createEventsApi } from "./events-api";
import { writeRunMetrics } from "./metrics";
import { type ReconcileReport, reconcile } from "./reconcile";
import { DynamoDbWatermarkStore } from "./watermark";

/** Time kept back from the Lambda timeout to store the watermark and write the report. */
export const DEADLINE_MARGIN_MS = 20_000;

/** The part of the Lambda context the handler reads. */
export interface ReconcilerContext {
  getRemainingTimeInMillis(): number;
}

/** What the invocation returns (visible in the Lambda console's test runs). */
export type ReconcileSummary = Omit<ReconcileReport, "error">;

/** The Lambda handler type. */
export type ReconcilerHandler = (event: unknown, context?: ReconcilerContext) => Promise<ReconcileSummary>;

/** What {@link buildAwsReconciler} reads; injectable so tests need not touch `process.env`. */
export interface ReconcilerEnvironment {
  readonly env: Env;
  readonly write: LineWriter;
  readonly clock: Clock;
}

/** One run with the deadline (epoch ms) after which no further page is read. */
export type RunReconciliation = (deadlineMs?: number) => Promise<ReconcileReport>;

/**
 * The production reconciler: config and AWS access from `env`. Throws `ConfigError` naming every bad variable.
 *
 * @example
 * const run = buildAwsReconciler({ env: process.env, write: stdoutWriter, clock });
 * const report = await run(Date.now() + 60_000);
 */
export function buildAwsReconciler({ env, write, clock }: ReconcilerEnvironment): RunReconciliation {
  const config: ReconcilerConfig = readReconcilerConfig(env);
  const aws = readAwsEnvironment(env);
  const now = () => new Date(clock.now());
  const dynamodb = awsJsonClient(aws, "dynamodb", now);
  const apiKeys = new SecretsManagerSecretSource(
    awsJsonClient(aws, "secretsManager", now),
    config.apiKeySecretArn,
  );
  const store = new DynamoDbEventStore(dynamodb, config.dedupeTable, config.dedupeTtlSeconds);
  const watermarks = new DynamoDbWatermarkStore(dynamodb, config.dedupeTable);
  const lookup = new DynamoDbStoredLookup(dynamodb, config.dedupeTable);
  const logger = createJsonLogger(write, clock);
  const settings = {
    eventTypes: config.eventTypes,
    overlapSeconds: config.overlapSeconds,
    initialLookbackSeconds: config.initialLookbackSeconds,
    settleSeconds: config.settleSeconds,
    dedupeTtlSeconds: config.dedupeTtlSeconds,
  };
  return async (deadlineMs) => {
    const apiKey = (await apiKeys.current()).value;
    const api = createEventsApi({
      baseUrl: config.apiBaseUrl,
      apiKey,
      privacyPrincipal: config.privacyPrincipal,
      privacyJustification: config.privacyJustification,
    });
    return reconcile(
      { api, watermarks, store, clock, logger, lookup },
      deadlineMs === undefined ? settings : { ...settings, deadlineMs },
    );
  };
}

function logRun(write: LineWriter, clock: Clock, report: ReconcileReport): void {
  const { error, ...counts } = report;
  const level = report.outcome === "failed" ? "error" : report.recovered > 0 ? "warn" : "info";
  createJsonLogger(write, clock)[level]({
    msg: "reconciliation",
    outcome: counts.outcome,
    since: counts.since,
    until: counts.until,
    watermarkGapSeconds: counts.watermarkGapSeconds,
    scanned: counts.scanned,
    recovered: counts.recovered,
    alreadyStored: counts.alreadyStored,
    ignored: counts.ignored,
    invalid: counts.invalid,
    watermark: counts.watermarkMs === undefined ? undefined : new Date(counts.watermarkMs).toISOString(),
    watermarkMoved: counts.watermarkMoved,
    errorName: error?.name,
    error: error?.detail,
  });
}

/**
 * Wraps a run factory as a Lambda handler: builds on first use (and again after a setup failure), logs and
 * records metrics for every run, and throws when the run failed so the invocation counts as an error.
 *
 * @example
 * export const handler = createReconcilerHandler(() => buildAwsReconciler(environment), environment);
 */
export function createReconcilerHandler(
  build: () => RunReconciliation,
  { write, clock, functionName }: { write: LineWriter; clock: Clock; functionName: string },
): ReconcilerHandler {
  let run: RunReconciliation | undefined;
  return async (_event, context) => {
    try {
      run ??= build();
    } catch (error) {
      const message = error instanceof Error ? error.message : "unknown error";
      write(JSON.stringify({ level: "error", msg: "reconciler setup failed", error: message }));
      throw new Error(`reconciler setup failed: ${message}`);
    }
    const deadlineMs =
      context === undefined
        ? undefined
        : clock.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
    let report: ReconcileReport;
    try {
      report = await run(deadlineMs);
    } catch (error) {
      // Only fetching the API key or a malformed key can throw here (reconcile() reports its own failures).
      const name = error instanceof Error ? error.name : "Error";
      const detail = error instanceof Error ? error.message : "unknown error";
      report = failedBeforeStart(name, detail);
    }
    logRun(write, clock, report);
    writeRunMetrics(write, clock, functionName, report);
    const { error, ...summary } = report;
    if (error !== undefined) throw new Error(`reconciliation failed: ${error.detail}`);
    return summary;
  };
}

function failedBeforeStart(name: string, detail: string): ReconcileReport {
  return {
    outcome: "failed",
    since: "",
    until: "",
    watermarkGapSeconds: 0,
    scanned: 0,
    recovered: 0,
    alreadyStored: 0,
    ignored: 0,
    invalid: 0,
    newestEventMs: undefined,
    previousWatermarkMs: undefined,
    watermarkMs: undefined,
    watermarkMoved: false,
    error: { name, detail },
  };
}

const systemClock: Clock = { now: () => Date.now() };

/** The Lambda handler: reads `process.env` on first use. */
export const handler: ReconcilerHandler = createReconcilerHandler(
  () => buildAwsReconciler({ env: process.env, write: stdoutWriter, clock: systemClock }),
  {
    write: stdoutWriter,
    clock: systemClock,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? LOCAL_FUNCTION_NAME,
  },
);
