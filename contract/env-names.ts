/**
 * Names of the three Lambdas' environment variables: the contract between the components that set them
 * (`components/`) and the Lambdas that read them (`config.ts` of each Lambda). Values are names, ARNs, URLs and
 * numbers, never secrets: the signature secret and the API key are fetched from Secrets Manager by ARN at run
 * time.
 */

/** The receiver's (it has no bus: it only stores). */
export const ENV_NAMES = {
  /** ARN of the Secrets Manager secret whose AWSCURRENT (and, during rotation, AWSPREVIOUS) is the signature secret. */
  secretArn: "LEMON_SIGNATURE_SECRET_ARN",
  /** Name of the DynamoDB table events are stored in (partition key `pk`, TTL attribute `expiresAt`). */
  dedupeTable: "LEMON_DEDUPE_TABLE",
  /** How long a replaced (AWSPREVIOUS) secret keeps verifying, in seconds. Default 86400. */
  rotationGraceSeconds: "LEMON_ROTATION_GRACE_SECONDS",
  /** How long an event id is remembered for dedupe, in seconds. Default 604800 (7 days). */
  dedupeTtlSeconds: "LEMON_DEDUPE_TTL_SECONDS",
  /** Largest accepted request body in bytes. Default 65536. */
  maxBodyBytes: "LEMON_MAX_BODY_BYTES",
  /** How long a fetched secret is cached, in seconds. Default 300. */
  secretCacheSeconds: "LEMON_SECRET_CACHE_SECONDS",
  /**
   * The signature scheme (not secret): a preset name or a JSON object, `contract/signature-presets.ts`. Default
   * `lemon-default`.
   */
  signatureScheme: "LEMON_SIGNATURE_SCHEME",
} as const;

export type EnvName = (typeof ENV_NAMES)[keyof typeof ENV_NAMES];

/** Environment variable names of the forwarder Lambda (names and numbers only, never secrets). */
export const FORWARDER_ENV_NAMES = Object.freeze({
  /** Name of the EventBridge bus events are forwarded to. */
  eventBusName: "LEMON_EVENT_BUS_NAME",
  /** Name of the table whose items the forwarder marks forwarded. */
  table: "LEMON_DEDUPE_TABLE",
} as const);

/**
 * The reconciler's own. The table and the TTL reuse the receiver's names ({@link ENV_NAMES}), because both
 * Lambdas must agree on them. No bus: the reconciler only stores.
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
