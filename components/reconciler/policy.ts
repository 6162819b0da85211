/**
 * IAM documents of the reconciler, as pure functions of the ARNs involved: every statement on the one ARN
 * it needs. The API key secret appears in the reconciler's policy only, so no other role the package
 * creates can read it.
 */
import { forwardEventsStatement, ownLogsStatement, type PolicyDocument } from "../receiver/policy";

/** The ARNs the reconciler Lambda needs, resolved. */
export interface ReconcilerPolicyArns {
  readonly apiKeySecretArn: string;
  readonly tableArn: string;
  readonly eventBusArn: string;
  readonly logGroupArn: string;
}

/** The reconciler Lambda's policy. */
export function reconcilerPolicyDocument(arns: ReconcilerPolicyArns): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadApiKey",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: arns.apiKeySecretArn,
      },
      {
        Sid: "DedupeAndWatermark",
        Effect: "Allow",
        // Pre-check a page (BatchGetItem), claim (PutItem; GetItem+UpdateItem on takeover), mark done
        // (UpdateItem), release (DeleteItem), and the watermark item (GetItem, conditional UpdateItem).
        Action: [
          "dynamodb:BatchGetItem",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
        ],
        Resource: arns.tableArn,
      },
      forwardEventsStatement(arns.eventBusArn),
      ownLogsStatement(arns.logGroupArn),
    ],
  };
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
