/**
 * IAM documents of the reconciler, as pure functions of the ARNs involved: every statement on the one ARN
 * it needs. The API key secret appears in the reconciler's policy only, so no other role the package
 * creates can read it.
 */
import type { PolicyDocument } from "../receiver/policy";

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
      {
        Sid: "ForwardEvents",
        Effect: "Allow",
        Action: ["events:PutEvents"],
        Resource: arns.eventBusArn,
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${arns.logGroupArn}:*`,
      },
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
 * Trust policy letting EventBridge Scheduler assume the schedule's role. The role can only invoke the one
 * reconciler function, so a schedule elsewhere borrowing it could at most trigger an extra (harmless) run.
 */
export const SCHEDULER_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});
