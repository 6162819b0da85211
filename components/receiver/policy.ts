/**
 * The receiver Lambda's IAM policy, as a pure function of the four ARNs it may touch: least privilege is
 * easiest to review (and to test) when the whole document is built in one place.
 */

/** One IAM policy statement with exactly one resource. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: string;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The ARNs the receiver needs, resolved. */
export interface ReceiverPolicyArns {
  /** The signature secret (read `AWSCURRENT` and `AWSPREVIOUS`). */
  readonly secretArn: string;
  /** The dedupe table (claim an event id, read a competing claim, mark it done, release it on failure). */
  readonly tableArn: string;
  /** The bus events are forwarded to. */
  readonly eventBusArn: string;
  /** The Lambda's own log group. */
  readonly logGroupArn: string;
}

/** `PutEvents` on the one bus; shared by every Lambda that forwards (receiver, reconciler). */
export function forwardEventsStatement(eventBusArn: string): PolicyStatement {
  return { Sid: "ForwardEvents", Effect: "Allow", Action: ["events:PutEvents"], Resource: eventBusArn };
}

/** Writing to the Lambda's own log group only. */
export function ownLogsStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    // Log streams are addressed as `<log group ARN>:log-stream:<name>`; `:*` covers this group's streams only.
    Resource: `${logGroupArn}:*`,
  };
}

/**
 * The receiver's policy: each statement is scoped to the one ARN it needs; no `*` resource, because every
 * action used here supports resource-level permissions.
 */
export function receiverPolicyDocument(arns: ReceiverPolicyArns): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSignatureSecret",
        Effect: "Allow",
        // GetSecretValue with VersionStage=AWSPREVIOUS needs nothing more; the secret uses the AWS-managed key,
        // whose key policy already lets Secrets Manager decrypt for principals allowed on the secret.
        Action: ["secretsmanager:GetSecretValue"],
        Resource: arns.secretArn,
      },
      {
        Sid: "ClaimEventIds",
        Effect: "Allow",
        // The claim protocol of lambda/aws/dedupe-store.ts: PutItem (claim), GetItem (inspect a duplicate),
        // UpdateItem (mark done, take over an expired lease), DeleteItem (release after a failed forward).
        Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        Resource: arns.tableArn,
      },
      forwardEventsStatement(arns.eventBusArn),
      ownLogsStatement(arns.logGroupArn),
    ],
  };
}

/** The trust policy letting Lambda assume the receiver's role. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
