/**
 * Names of the receiver Lambda's environment variables (the forwarder's are `FORWARDER_ENV_NAMES` in
 * `stored-event.ts`; the receiver has no bus: it only stores): the contract between the component that sets them
 * (`components/`) and the handler that reads them (`lambda/receiver/config.ts`). Values are names, ARNs and numbers,
 * never secrets: the signature secret is fetched from Secrets Manager by ARN at run time.
 */
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
