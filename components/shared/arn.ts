/** Reading an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`): one place for its fields. */

/**
 * The region of `arn`. `fail` makes the error for an ARN without one (default a plain `Error`), so a caller can
 * throw its own type with its own fix.
 *
 * @example
 * regionOfArn("arn:aws:lambda:eu-central-1:123456789012:function:f"); // "eu-central-1"
 */
export function regionOfArn(
  arn: string,
  fail: (message: string) => Error = (message) => new Error(message),
): string {
  const region = arn.split(":")[3];
  if (region === undefined || region === "") throw fail(`${arn} is not an ARN with a region`);
  return region;
}
