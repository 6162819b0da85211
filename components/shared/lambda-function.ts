/**
 * The one way the package builds a Lambda function (receiver, forwarder, reconciler): its own log group (so it
 * has a retention and the policy can name it), a role only Lambda can assume, one inline least-privilege
 * policy that always ends with writing to that log group, JSON logging at the shared levels, and the function
 * itself on {@link LAMBDA_RUNTIME}, created only after its policy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME, LAMBDA_SYSTEM_LOG_LEVEL, type LambdaLogLevel } from "./lambda-settings";
import {
  LAMBDA_ASSUME_ROLE_POLICY,
  ownLogsStatement,
  type PolicyDocument,
  type PolicyStatement,
} from "../receiver/policy";

/** What differs between the package's functions. */
export interface LambdaFunctionSpec {
  /**
   * Logical name of the function; its log group, role and policy are `<name>-logs`, `-role`, `-policy`
   * (e.g. `lemon-receiver`, `lemon-receiver-logs`, …).
   */
  readonly name: string;
  /** The built bundle (`index.js` exporting `handler`). */
  readonly code: pulumi.asset.Archive;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** Reserved concurrency; undefined leaves the function unreserved. */
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  readonly logLevel: LambdaLogLevel;
  /** Names, ARNs and numbers only: never a secret value. */
  readonly environment: Record<string, pulumi.Input<string>>;
  /**
   * The function's statements, each on the one ARN it needs; {@link ownLogsStatement} for its log group is
   * appended here, so no function can forget it or write anywhere else.
   */
  readonly statements: pulumi.Input<readonly PolicyStatement[]>;
  readonly tags: Readonly<Record<string, string>>;
}

/** The function and the resources that exist for it. */
export interface LambdaFunction {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly function: aws.lambda.Function;
}

/** The policy document: `statements`, then writing to the function's own log group. */
export function functionPolicyDocument(
  statements: readonly PolicyStatement[],
  logGroupArn: string,
): PolicyDocument {
  return { Version: "2012-10-17", Statement: [...statements, ownLogsStatement(logGroupArn)] };
}

/**
 * Creates the function, its log group, role and policy, children of `parent`.
 *
 * @example
 * const { function: fn, policy } = createLambdaFunction({ name: `${name}-forwarder`, … }, this);
 */
export function createLambdaFunction(spec: LambdaFunctionSpec, parent: pulumi.Resource): LambdaFunction {
  const tags = { ...spec.tags };
  // Our own group (not Lambda's implicit /aws/lambda/<fn>) so it has a retention and the policy can name it.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${spec.name}-logs`,
    { retentionInDays: spec.logRetentionDays, tags },
    { parent },
  );
  const role = new aws.iam.Role(
    `${spec.name}-role`,
    { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY, tags },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${spec.name}-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([spec.statements, logGroup.arn])
        .apply(([statements, logGroupArn]) =>
          JSON.stringify(functionPolicyDocument(statements as readonly PolicyStatement[], logGroupArn)),
        ),
    },
    { parent },
  );
  const fn = new aws.lambda.Function(
    spec.name,
    {
      runtime: LAMBDA_RUNTIME.runtime as aws.lambda.Runtime,
      architectures: [LAMBDA_RUNTIME.architecture],
      handler: LAMBDA_RUNTIME.handler,
      code: spec.code,
      role: role.arn,
      memorySize: spec.memorySize,
      timeout: spec.timeoutSeconds,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      environment: { variables: spec.environment },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: logGroup.name,
        applicationLogLevel: spec.logLevel,
        systemLogLevel: LAMBDA_SYSTEM_LOG_LEVEL,
      },
      tags,
    },
    // The policy must be in place before the first invocation, which can come as soon as the function exists.
    { parent, dependsOn: [policy] },
  );
  return { logGroup, role, policy, function: fn };
}
