/**
 * Names of the receiver Lambda's environment variables: the contract between the component that sets them
 * (`components/`) and the handler that reads them (`lambda/config.ts`). Values are names, ARNs and numbers,
 * never secrets: the signature secret is fetched from Secrets Manager by ARN at run time.
 */
export const ENV_NAMES = {
  /** ARN of the Secrets Manager secret whose AWSCURRENT (and, during rotation, AWSPREVIOUS) is the signature secret. */
  secretArn: "LEMON_SIGNATURE_SECRET_ARN",
  /** Name of the DynamoDB dedupe table (partition key `pk`, TTL attribute `expiresAt`). */
  dedupeTable: "LEMON_DEDUPE_TABLE",
  /** Name of the EventBridge bus events are forwarded to. */
  eventBusName: "LEMON_EVENT_BUS_NAME",
  /** How long a replaced (AWSPREVIOUS) secret keeps verifying, in seconds. Default 86400. */
  rotationGraceSeconds: "LEMON_ROTATION_GRACE_SECONDS",
  /** How long an event id is remembered for dedupe, in seconds. Default 604800 (7 days). */
  dedupeTtlSeconds: "LEMON_DEDUPE_TTL_SECONDS",
  /** Largest accepted request body in bytes. Default 65536. */
  maxBodyBytes: "LEMON_MAX_BODY_BYTES",
  /** How long a fetched secret is cached, in seconds. Default 300. */
  secretCacheSeconds: "LEMON_SECRET_CACHE_SECONDS",
  /**
   * How long a claim on an event id protects an unfinished forward, in seconds. Default 60. Must exceed the
   * Lambda timeout: a claim older than this is presumed abandoned (the invocation died) and taken over.
   */
  claimLeaseSeconds: "LEMON_CLAIM_LEASE_SECONDS",
} as const;

export type EnvName = (typeof ENV_NAMES)[keyof typeof ENV_NAMES];
