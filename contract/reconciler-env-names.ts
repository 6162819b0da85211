/**
 * Names of the reconciler Lambda's own environment variables: the contract between the component that sets
 * them (`components/reconciler/`) and `config.ts`. The table and the TTL reuse the receiver's names
 * (`../env-names.ts`), because both Lambdas must agree on them. No bus: the reconciler only stores. Values are names, ARNs, URLs and
 * numbers, never secrets: the API key is fetched from Secrets Manager by ARN at run time.
 */
export const RECONCILER_ENV_NAMES = {
  /** ARN of the Secrets Manager secret whose AWSCURRENT value is the lemon.markets API key. */
  apiKeySecretArn: "LEMON_RECONCILER_API_KEY_SECRET_ARN",
  /** Comma-separated event types the webhook is registered for, e.g. `order.executed,account.created`. */
  eventTypes: "LEMON_RECONCILER_EVENT_TYPES",
  /** How far before the watermark each run starts reading, in seconds. Default 600. */
  overlapSeconds: "LEMON_RECONCILER_OVERLAP_SECONDS",
  /** How far back the very first run (no watermark yet) reads, in seconds. Default 1500. */
  initialLookbackSeconds: "LEMON_RECONCILER_INITIAL_LOOKBACK_SECONDS",
  /** Only events created at least this long before the run are processed, in seconds. Default 300. */
  settleSeconds: "LEMON_RECONCILER_SETTLE_SECONDS",
  /** lemon.markets API root including `/v1`. Default the sandbox, `https://sandbox.api.lemon.markets/v1`. */
  apiBaseUrl: "LEMON_API_BASE_URL",
  /** `LMG-Data-Privacy-Access-Principal` of the events requests. */
  privacyPrincipal: "LEMON_PRIVACY_PRINCIPAL",
  /** `LMG-Data-Privacy-Access-Justification` of the events requests. */
  privacyJustification: "LEMON_PRIVACY_JUSTIFICATION",
} as const;

/** One of the reconciler's own variable names. */
export type ReconcilerEnvName = (typeof RECONCILER_ENV_NAMES)[keyof typeof RECONCILER_ENV_NAMES];
