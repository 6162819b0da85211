/**
 * IAM building blocks of the package's Lambdas, as pure functions of the ARNs they may touch: least privilege
 * is easiest to review (and to test) when each document is built in one place.
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
  /** The events table (store a verified event with one conditional PutItem). */
  readonly tableArn: string;
}

/** `PutEvents` on the one bus: the forwarder's only way out. */
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
 * The receiver's statements (its own log group is added by `createLambdaFunction`): read the signature
 * secret, store an event. Each is scoped to the one ARN it needs; no `*` resource, because both actions
 * support resource-level permissions. No `events:PutEvents`: the receiver stores, the forwarder forwards.
 */
export function receiverPolicyStatements(arns: ReceiverPolicyArns): PolicyStatement[] {
  return [
    {
      Sid: "ReadSignatureSecret",
      Effect: "Allow",
      // GetSecretValue with VersionStage=AWSPREVIOUS needs nothing more; the secret uses the AWS-managed key,
      // whose key policy already lets Secrets Manager decrypt for principals allowed on the secret.
      Action: ["secretsmanager:GetSecretValue"],
      Resource: arns.secretArn,
    },
    {
      Sid: "StoreEvents",
      Effect: "Allow",
      // The one conditional PutItem (`attribute_not_exists(pk)`) of contract/events-table.ts: a failed condition
      // means "already stored", so the receiver never needs to read, update or delete.
      Action: ["dynamodb:PutItem"],
      Resource: arns.tableArn,
    },
  ];
}

/** The trust policy letting Lambda assume a function's role. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
