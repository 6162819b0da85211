/** Bad command line; the message names the flag and the fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
