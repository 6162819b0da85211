/**
 * The forwarder Lambda's entry point (`index.handler` of dist/lambda-bundle/forwarder), invoked by the event
 * source mapping on the table's stream. Builds the AWS adapters from the environment once per container and
 * runs the core (`forward.ts`) on each batch. Off the 10-second delivery path, so its AWS calls get generous
 * timeouts ({@link FORWARDER_CALL_TIMEOUT_MS}).
 *
 * A setup failure (a missing variable) is logged and thrown: the whole batch fails and the mapping retries it
 * (bisecting, up to its maximum attempts, then the on-failure destination); nothing is lost meanwhile.
 */

import { LOCAL_FUNCTION_NAME } from "../../contract/metrics";
import type { Env } from "../../contract/settings";
import { awsJsonClient } from "../aws";
import { readAwsEnvironment } from "../aws/environment";
import { EventBridgePublisher } from "../aws/event-sink";
import { markForwarded } from "../aws/event-store";
import { DynamoDbStoredLookup } from "../aws/stored-lookup";
import { createJsonLogger, type LineWriter, stdoutWriter } from "../core/observability";
import type { Clock } from "../core/ports";
import { readForwarderConfig } from "./config";
import { createForwarder, type ForwardBatch } from "./forward";
import { createForwarderMetrics } from "./metrics";
import type { DynamoDbStreamEvent, StreamBatchResponse } from "./stream";

/** Longest wait for one AWS call of the forwarder (the receiver's is 3 s; no sender waits here). */
export const FORWARDER_CALL_TIMEOUT_MS = 10_000;

/** The Lambda handler type. */
export type ForwarderHandler = (event: DynamoDbStreamEvent) => Promise<StreamBatchResponse>;

/** What {@link buildAwsForwarder} reads; injectable so tests and the local stream need not touch `process.env`. */
export interface ForwarderEnvironment {
  readonly env: Env;
  readonly write: LineWriter;
  readonly clock: Clock;
}

/**
 * The production forwarder: config and AWS access from `env`. Throws `ConfigError` naming every bad variable.
 *
 * @example
 * const forward = buildAwsForwarder({ env: process.env, write: stdoutWriter, clock: { now: Date.now } });
 */
export function buildAwsForwarder({ env, write, clock }: ForwarderEnvironment): ForwardBatch {
  const config = readForwarderConfig(env);
  const aws = readAwsEnvironment(env);
  const now = () => new Date(clock.now());
  const dynamodb = awsJsonClient(aws, "dynamodb", now, FORWARDER_CALL_TIMEOUT_MS);
  const logger = createJsonLogger(write, clock);
  const publisher = new EventBridgePublisher(
    awsJsonClient(aws, "eventBridge", now, FORWARDER_CALL_TIMEOUT_MS),
    config.eventBusName,
    (failure) => logger.warn({ msg: "put_events_failed", eventId: failure.eventId, errorCode: failure.code }),
  );
  return createForwarder({
    publisher,
    markForwarded: (eventId, nowMs) => markForwarded(dynamodb, config.table, eventId, nowMs),
    lookup: new DynamoDbStoredLookup(dynamodb, config.table),
    clock,
    logger,
    metrics: createForwarderMetrics(write, clock, env.AWS_LAMBDA_FUNCTION_NAME ?? LOCAL_FUNCTION_NAME),
  });
}

/**
 * Wraps a core factory as a Lambda handler: builds on first use (and again after a setup failure).
 *
 * @example
 * export const handler = createForwarderHandler(() => buildAwsForwarder(environment), stdoutWriter);
 */
export function createForwarderHandler(
  build: () => ForwardBatch,
  write: LineWriter = stdoutWriter,
): ForwarderHandler {
  let forward: ForwardBatch | undefined;
  return async (event) => {
    try {
      forward ??= build();
    } catch (error) {
      const message = error instanceof Error ? error.message : "unknown error";
      write(JSON.stringify({ level: "error", msg: "forwarder setup failed", error: message }));
      throw new Error(`forwarder setup failed: ${message}`);
    }
    return forward(event);
  };
}

const systemClock: Clock = { now: () => Date.now() };

/** The Lambda handler: reads `process.env` on first use. */
export const handler: ForwarderHandler = createForwarderHandler(() =>
  buildAwsForwarder({ env: process.env, write: stdoutWriter, clock: systemClock }),
);
