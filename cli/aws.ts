/** AWS access of the CLI commands: the SigV4 JSON client of the Lambdas, as the caller's credentials. */

import { regionOfArn as regionOfAnyArn } from "../components/shared/arn";
import { awsJsonClient } from "../lambda/aws";
import { type AwsService, readAwsEnvironment } from "../lambda/aws/environment";
import type { AwsJsonClient } from "../lambda/aws/json-client";
import { ConfigError } from "../lambda/core/errors";
import { SetupError } from "./stack";

/** The region of an ARN output (`what` names it in the error). @throws SetupError when it has none. */
export function regionOfArn(arn: string, what = "secretArn"): string {
  return regionOfAnyArn(arn, (message) => new SetupError(`${what} ${message}`));
}

/**
 * The region of a stack: that of its `eventBusArn` output, else of its `secretArn` (a receiver exports both).
 *
 * @throws SetupError naming the output when neither is an ARN with a region.
 */
export function stackRegion(stack: string, outputs: Readonly<Record<string, unknown>>): string {
  for (const output of ["eventBusArn", "secretArn"] as const) {
    const arn = outputs[output];
    if (typeof arn === "string") return regionOfArn(arn, output);
  }
  throw new SetupError(`stack ${stack} has neither an eventBusArn nor a secretArn output to tell its region`);
}

/**
 * Longest wait for one AWS call of a CLI command. The Lambdas' 3 s (`AWS_CALL_TIMEOUT_MS`) is sized for a call
 * inside the region within lemon.markets' 10 s; a command runs from a laptop or CI runner, and a 24 h
 * GetMetricData or a Scan page may take longer.
 */
export const CLI_AWS_CALL_TIMEOUT_MS = 15_000;

/**
 * A client for `service` in `region` with the credentials in `env` (AWS_ACCESS_KEY_ID, …).
 *
 * @throws SetupError saying how to export credentials when there are none.
 */
export function cliAwsClient(
  env: Readonly<Record<string, string | undefined>>,
  region: string,
  service: AwsService,
): AwsJsonClient {
  try {
    return awsJsonClient(
      readAwsEnvironment({ ...env, AWS_REGION: region }),
      service,
      undefined,
      CLI_AWS_CALL_TIMEOUT_MS,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new SetupError(
      `AWS credentials are needed (${error.problems.join("; ")}): export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), e.g. eval "$(aws configure export-credentials --format env)"`,
    );
  }
}
