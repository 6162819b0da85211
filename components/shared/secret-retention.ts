/**
 * How long a deleted secret stays restorable. Secrets Manager's own default is a 30-day recovery window, so a
 * secret deleted by `pulumi destroy` would stay restorable (and billed) for a month; every secret this package
 * creates sets the window explicitly instead, from one argument.
 */

/** Secrets Manager accepts 0 (delete at once) or 7–30 days. */
export const RECOVERY_WINDOW_RULE = Object.freeze({ immediate: 0, min: 7, max: 30 });

/** Why `days` is not a valid recovery window, or undefined. */
export function recoveryWindowProblem(days: unknown): string | undefined {
  const { immediate, min, max } = RECOVERY_WINDOW_RULE;
  if (
    typeof days === "number" &&
    Number.isInteger(days) &&
    (days === immediate || (days >= min && days <= max))
  ) {
    return undefined;
  }
  return `must be ${immediate} (delete at once) or a whole number of days from ${min} to ${max} (got ${String(days)})`;
}
