/**
 * The Lambda entry point (`index.handler` in the bundle): a thin API Gateway v2 adapter around the receive
 * core. Real dependencies are built once per container, on the first invocation, from the environment.
 */

import { LOCAL_FUNCTION_NAME } from "../../contract/metrics";
import type { Env } from "../../contract/settings";
import { createAwsPorts } from "../aws";
import { readAwsEnvironment } from "../aws/environment";
import { createEmfMetrics, createJsonLogger, type LineWriter, stdoutWriter } from "../core/observability";
import type { Clock } from "../core/ports";
import type { ApiGatewayV2Event, ApiGatewayV2Result, LambdaContext } from "./apigw";
import { readConfig } from "./config";
import { createReceiver, type Receive } from "./receive";
import { failureFor } from "./responses";
import type { SchemeProbe } from "./signature-probe";

/**
 * The Lambda handler type of this receiver. `context` gives the invocation's deadline; without one (local
 * sandbox, tests) the receiver's configured budget applies.
 */
export type Handler = (event: ApiGatewayV2Event, context?: LambdaContext) => Promise<ApiGatewayV2Result>;

/** What {@link buildAwsReceiver} reads; injectable so tests and the sandbox need not touch `process.env`. */
export interface HandlerEnvironment {
  readonly env: Env;
  readonly write: LineWriter;
  readonly clock: Clock;
  /** Budget of an invocation without a Lambda context; default `DEFAULT_INVOCATION_BUDGET_MS` (8 s). */
  readonly invocationBudgetMs?: number;
  /** The signature-scheme probe; default one with its default rate limit (tests lift the limit). */
  readonly schemeProbe?: SchemeProbe | false;
}

const systemClock: Clock = { now: () => Date.now() };

/** The production receiver: config and AWS access from `env`, logs and metrics to `write`. */
export function buildAwsReceiver({
  env,
  write,
  clock,
  invocationBudgetMs,
  schemeProbe,
}: HandlerEnvironment): Receive {
  const config = readConfig(env);
  const ports = createAwsPorts(config, readAwsEnvironment(env));
  return createReceiver({
    config,
    ...ports,
    clock,
    logger: createJsonLogger(write, clock),
    // Lambda sets AWS_LAMBDA_FUNCTION_NAME; the metrics carry it so two receivers in one account stay apart.
    metrics: createEmfMetrics(write, clock, env.AWS_LAMBDA_FUNCTION_NAME ?? LOCAL_FUNCTION_NAME),
    ...(invocationBudgetMs === undefined ? {} : { invocationBudgetMs }),
    ...(schemeProbe === undefined ? {} : { schemeProbe }),
  });
}

/** The context's remaining time, or `undefined` when there is no usable one (then the budget applies). */
function remainingTimeOf(context: LambdaContext | undefined): number | undefined {
  const remaining =
    typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
  return typeof remaining === "number" && Number.isFinite(remaining) ? remaining : undefined;
}

/**
 * Wraps a receiver factory as a Lambda handler. The factory runs on the first invocation and again after
 * a failure (a configuration error is logged, naming the variable, and answered 500 so lemon.markets retries).
 * The context's remaining time is read once, as the core starts, and becomes the request's deadline.
 *
 * @example
 * export const handler = createHandler(() => buildAwsReceiver({ env: process.env, write, clock }), write);
 */
export function createHandler(build: () => Receive, write: LineWriter = stdoutWriter): Handler {
  let receive: Receive | undefined;
  return async (event, context) => {
    try {
      receive ??= build();
    } catch (error) {
      const failure = failureFor(error);
      const message = error instanceof Error ? error.message : "unknown error";
      write(
        JSON.stringify({
          level: "error",
          msg: "receiver setup failed",
          outcome: failure.outcome,
          error: message,
        }),
      );
      return failure.response;
    }
    // Read right before the core starts, which counts its deadline from its own start.
    const remainingTimeMs = remainingTimeOf(context);
    return receive({
      method: event.requestContext.http.method,
      headers: event.headers,
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      requestId: event.requestContext.requestId,
      ...(remainingTimeMs === undefined ? {} : { remainingTimeMs }),
    });
  };
}

/** The Lambda handler: reads `process.env` on first use. */
export const handler: Handler = createHandler(() =>
  buildAwsReceiver({ env: process.env, write: stdoutWriter, clock: systemClock }),
);
