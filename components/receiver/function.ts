/**
 * The receiver Lambda with its role, policy and log group (built by the shared `createLambdaFunction`). Its
 * environment holds names, ARNs and numbers only (contract/env-names.ts): the signature secret is fetched by ARN
 * at run time. It stores each verified event with one conditional PutItem and answers; it never calls
 * EventBridge (the forwarder does, from the table's stream).
 */
import * as pulumi from "@pulumi/pulumi";
import { ENV_NAMES, type EnvName } from "../../contract/env-names";
import { formatSignatureScheme } from "../../contract/signature-presets";
import { createLambdaFunction, type LambdaFunction } from "../shared/lambda-function";
import type { ResolvedReceiverArgs } from "./args";
import { receiverPolicyStatements } from "./policy";

/** What the function needs from the rest of the component. */
export interface ReceiverFunctionInputs {
  readonly secretArn: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
  readonly code: pulumi.asset.Archive;
}

/** The function and the resources that exist for it. */
export type ReceiverFunction = LambdaFunction;

/** The Lambda environment: exactly the variables of {@link ENV_NAMES}, none of them secret. */
export function receiverEnvironment(
  args: ResolvedReceiverArgs,
  inputs: Pick<ReceiverFunctionInputs, "secretArn" | "tableName">,
): Record<EnvName, pulumi.Input<string>> {
  return {
    [ENV_NAMES.secretArn]: inputs.secretArn,
    [ENV_NAMES.dedupeTable]: inputs.tableName,
    [ENV_NAMES.rotationGraceSeconds]: String(args.rotationGraceSeconds),
    [ENV_NAMES.dedupeTtlSeconds]: String(args.dedupeTtlSeconds),
    [ENV_NAMES.maxBodyBytes]: String(args.maxBodyBytes),
    [ENV_NAMES.secretCacheSeconds]: String(args.secretCacheSeconds),
    // A preset name or compact JSON; not secret.
    [ENV_NAMES.signatureScheme]: formatSignatureScheme(args.signatureScheme),
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
  return createLambdaFunction(
    {
      name: `${name}-receiver`,
      code: inputs.code,
      memorySize: args.memorySize,
      timeoutSeconds: args.timeoutSeconds,
      reservedConcurrency: args.reservedConcurrency,
      logRetentionDays: args.logRetentionDays,
      logLevel: args.logLevel,
      environment: receiverEnvironment(args, inputs),
      statements: pulumi
        .all([inputs.secretArn, inputs.tableArn])
        .apply(([secretArn, tableArn]) => receiverPolicyStatements({ secretArn, tableArn })),
      tags,
    },
    parent,
  );
}
