/** The one error type of the sandbox: which step failed, what happened, and how to fix it. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";

  /**
   * @param step what the sandbox was doing, e.g. `starting the receiver Lambda`
   * @param problem what went wrong (never a secret)
   * @param fix what the user can do about it
   */
  constructor(
    readonly step: string,
    readonly problem: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${step} failed: ${problem}. ${fix}`, options);
  }
}
