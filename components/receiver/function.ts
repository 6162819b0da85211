/**
 * The receiver Lambda with its role, policy and log group. Its environment holds names, ARNs and numbers
 * only (lambda/env-names.ts): the signature secret is fetched by ARN at run time.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV_NAMES, type EnvName } from "../../lambda/env-names";
import type { ResolvedReceiverArgs } from "./args";
import { LAMBDA_RUNTIME, LAMBDA_SYSTEM_LOG_LEVEL } from "./lambda-settings";
import { LAMBDA_ASSUME_ROLE_POLICY, receiverPolicyDocument } from "./policy";

/** What the function needs from the rest of the component. */
export interface ReceiverFunctionInputs {
  readonly secretArn: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
  readonly eventBusArn: pulumi.Input<string>;
  readonly eventBusName: pulumi.Input<string>;
  readonly code: pulumi.asset.Archive;
}

/** The function and the resources that exist for it. */
export interface ReceiverFunction {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly function: aws.lambda.Function;
}

/** The Lambda environment: exactly the variables of {@link ENV_NAMES}, none of them secret. */
export function receiverEnvironment(
  args: ResolvedReceiverArgs,
  inputs: Pick<ReceiverFunctionInputs, "secretArn" | "tableName" | "eventBusName">,
): Record<EnvName, pulumi.Input<string>> {
  return {
    [ENV_NAMES.secretArn]: inputs.secretArn,
    [ENV_NAMES.dedupeTable]: inputs.tableName,
    [ENV_NAMES.eventBusName]: inputs.eventBusName,
    [ENV_NAMES.rotationGraceSeconds]: String(args.rotationGraceSeconds),
    [ENV_NAMES.dedupeTtlSeconds]: String(args.dedupeTtlSeconds),
    [ENV_NAMES.maxBodyBytes]: String(args.maxBodyBytes),
    [ENV_NAMES.secretCacheSeconds]: String(args.secretCacheSeconds),
    [ENV_NAMES.claimLeaseSeconds]: String(args.claimLeaseSeconds),
  };
}

/** Creates the receiver Lambda, its log group, role and least-privilege policy. */
export function createReceiverFunction(
  name: string,
  args: ResolvedReceiverArgs,
  inputs: ReceiverFunctionInputs,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): ReceiverFunction {
  // Our own group (not Lambda's implicit /aws/lambda/<fn>) so it has a retention and the policy can name it.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-receiver-logs`,
    { retentionInDays: args.logRetentionDays, tags: { ...tags } },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-receiver-role`,
    { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY, tags: { ...tags } },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-receiver-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([inputs.secretArn, inputs.tableArn, inputs.eventBusArn, logGroup.arn])
        .apply(([secretArn, tableArn, eventBusArn, logGroupArn]) =>
          JSON.stringify(receiverPolicyDocument({ secretArn, tableArn, eventBusArn, logGroupArn })),
        ),
    },
    { parent },
  );
  const fn = new aws.lambda.Function(
    `${name}-receiver`,
    {
      runtime: LAMBDA_RUNTIME.runtime as aws.lambda.Runtime,
      architectures: [LAMBDA_RUNTIME.architecture],
      handler: LAMBDA_RUNTIME.handler,
      code: inputs.code,
      role: role.arn,
      memorySize: args.memorySize,
      timeout: args.timeoutSeconds,
      reservedConcurrentExecutions: args.reservedConcurrency,
      environment: { variables: receiverEnvironment(args, inputs) },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: logGroup.name,
        applicationLogLevel: args.logLevel,
        systemLogLevel: LAMBDA_SYSTEM_LOG_LEVEL,
      },
      tags: { ...tags },
    },
    // The policy must be in place before the first delivery, which can come as soon as the function exists.
    { parent, dependsOn: [policy] },
  );
  return { logGroup, role, policy, function: fn };
}
