/**
 * The `subscriptions` stack output: each subscription's rule ARN and event types, by its `subscribe` name.
 * Written by {@link LemonWebhookReceiver.subscriptionRules} (exported by the stack program), read by
 * `lemon-webhooks replay --rule/--types`. Dependency-free, so the CLI reads it without loading Pulumi.
 */

/** One subscription as the stack exports it. */
export interface SubscriptionRuleOutput {
  readonly ruleArn: string;
  readonly eventTypes: readonly string[];
}

/** The `subscriptions` output: subscription name → its rule. */
export type SubscriptionRulesOutput = Readonly<Record<string, SubscriptionRuleOutput>>;

/** Name of the stack output holding {@link SubscriptionRulesOutput}. */
export const SUBSCRIPTIONS_OUTPUT = "subscriptions";

/** `value` as {@link SubscriptionRulesOutput}, or undefined when it has another shape. */
export function parseSubscriptionRules(value: unknown): SubscriptionRulesOutput | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const rules: Record<string, SubscriptionRuleOutput> = {};
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null) return undefined;
    const { ruleArn, eventTypes } = entry as Record<string, unknown>;
    if (typeof ruleArn !== "string") return undefined;
    if (!Array.isArray(eventTypes) || !eventTypes.every((type) => typeof type === "string")) return undefined;
    rules[name] = { ruleArn, eventTypes: eventTypes as string[] };
  }
  return rules;
}
