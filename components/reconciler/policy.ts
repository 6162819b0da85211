/**
 * IAM statements and documents of the reconciler, as pure functions of the ARNs involved: every statement on the one ARN
 * it needs. The API key secret appears in the reconciler's policy only, so no other role the package
 * creates can read it.
 */
import type { PolicyDocument, PolicyStatement } from "../shared/iam";

/** The ARNs the reconciler Lambda needs, resolved. */
export interface ReconcilerPolicyArns {
  readonly apiKeySecretArn: string;
  readonly tableArn: string;
}

/**
 * The reconciler Lambda's statements (its own log group is added by `createLambdaFunction`): read its API key,
 * store missed events and keep its watermark. No `events:PutEvents`: the table's stream forwards what it stores.
 */
export function reconcilerPolicyStatements(arns: ReconcilerPolicyArns): PolicyStatement[] {
  return [
    {
      Sid: "ReadApiKey",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: arns.apiKeySecretArn,
    },
    {
      Sid: "StoreEventsAndWatermark",
      Effect: "Allow",
      // BatchGetItem: which ids of a page are already stored (the steady state: skip them without a write);
      // PutItem: the receiver's own conditional store for the rest; GetItem and UpdateItem: the watermark item
      // (read it, move it forward with a conditional update).
      Action: ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: arns.tableArn,
    },
  ];
}

/** The schedule's role: may invoke the reconciler function and nothing else. */
export function schedulerPolicyDocument(functionArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "InvokeReconciler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: functionArn },
    ],
  };
}

/**
 * The account of an ARN (its 5th field), e.g. of the dedupe table's: the schedule lives in the same account.
 * Taken from an ARN the component already has, so no `getCallerIdentity` call is needed.
 *
 * @throws Error naming `dedupeTableArn` when the ARN has no 12-digit account.
 * @example
 * accountOfArn("arn:aws:dynamodb:eu-central-1:123456789012:table/lemon-dedupe"); // "123456789012"
 */
export function accountOfArn(arn: string): string {
  const account = arn.split(":")[4] ?? "";
  if (!/^\d{12}$/.test(account)) {
    throw new Error(
      `LemonEventReconciler: [dedupeTableArn] "${arn}" has no 12-digit account id; pass the table's full ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)`,
    );
  }
  return account;
}

/**
 * Trust policy letting EventBridge Scheduler assume the schedule's role, only on behalf of schedules of
 * `accountId` (`aws:SourceAccount`): without the condition, a schedule in any other account that learned the
 * role's ARN could have Scheduler assume it (the confused-deputy problem).
 *
 * @example
 * new aws.iam.Role("schedule-role", { assumeRolePolicy: schedulerAssumeRolePolicy("123456789012") });
 */
export function schedulerAssumeRolePolicy(accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  });
}
