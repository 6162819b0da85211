/**
 * Settings every Lambda of the package shares (receiver, forwarder, reconciler), with no dependency on a Pulumi
 * provider package, so argument validation can import them without loading @pulumi/aws.
 */
import runtimeContract from "../../contract/runtime.json";

/**
 * Runtime settings of every Lambda, read from `contract/runtime.json`: the one file `npm run build:lambda` also
 * reads for its esbuild target, so the bundles are always built for the runtime they are deployed on.
 */
export const LAMBDA_RUNTIME = Object.freeze({
  runtime: runtimeContract.runtime,
  architecture: runtimeContract.architecture,
  handler: runtimeContract.handler,
});

/**
 * The application log levels the Lambdas may run at (`loggingConfig.applicationLogLevel`, JSON log format).
 * Not WARN or above: Lambda filters JSON stdout lines by their level and counts a line without one as INFO,
 * and the CloudWatch metrics are EMF lines on stdout — above INFO they would be dropped before CloudWatch
 * extracts them, and every metric alarm would go silent.
 */
export const LAMBDA_LOG_LEVELS = ["TRACE", "DEBUG", "INFO"] as const;
/** One of {@link LAMBDA_LOG_LEVELS}. */
export type LambdaLogLevel = (typeof LAMBDA_LOG_LEVELS)[number];
/** The application log level of every Lambda unless `logLevel` says otherwise. */
export const DEFAULT_LAMBDA_LOG_LEVEL: LambdaLogLevel = "INFO";
/**
 * Lambda's own lines (START, END, REPORT with duration, billed duration, memory and init time) are INFO: a
 * higher level would hide exactly the lines an operator needs to size and debug the functions.
 */
export const LAMBDA_SYSTEM_LOG_LEVEL = "INFO";

/** Why `value` is not a valid `logLevel`, or undefined. */
export function logLevelProblem(value: unknown): string | undefined {
  return (LAMBDA_LOG_LEVELS as readonly unknown[]).includes(value)
    ? undefined
    : `must be one of ${LAMBDA_LOG_LEVELS.join(", ")} (got ${JSON.stringify(value)})`;
}
