/**
 * The public arguments of {@link LemonWebhookReceiver} and the defaults the component applies. Kept apart from
 * the component so the stack program, the validators and the docs share one definition.
 */
import type * as pulumi from "@pulumi/pulumi";
import { NUMBER_RULES } from "../../lambda/receiver/config";
import type { SignatureScheme } from "../../contract/signature";
import type { SignatureSchemeInput } from "../../contract/signature-presets";
import type { ReceiverReconcilerOptions } from "../reconciler/args";
import type { LambdaLogLevel } from "../shared/lambda-settings";

/** An EventBridge bus that exists outside the component (an `aws.cloudwatch.EventBus` fits this shape). */
export interface ExistingEventBus {
  /** Bus name: used by rules and, via the forwarder's environment, by `PutEvents`. */
  readonly name: pulumi.Input<string>;
  /** Bus ARN: the one resource the forwarder may `events:PutEvents` to, and the archive's source. */
  readonly arn: pulumi.Input<string>;
}

/** API Gateway stage throttling, applied to every route of the stage. */
export interface ReceiverThrottling {
  /** Steady-state requests per second. Default {@link RECEIVER_DEFAULTS}`.throttling.rateLimit` (100). */
  readonly rateLimit?: number;
  /** Largest burst of concurrent requests, at least 1. Default `throttling.burstLimit` (200). */
  readonly burstLimit?: number;
}

/** Arguments of {@link LemonWebhookReceiver}. Validated up front by {@link validateReceiverArgs}. */
export interface LemonWebhookReceiverArgs {
  /**
   * Event types lemon.markets delivers, e.g. `["order.executed", "account.created"]`. Required: non-empty,
   * no duplicates, each `<entity>.<action>`. A type outside the published list is allowed (the list grows)
   * but logged as a warning.
   */
  readonly events: readonly string[];
  /**
   * Base URL of the lemon.markets API the webhook is registered with, ending in `/v1`. Default: the
   * registration's default (the sandbox). Set `https://api.lemon.markets/v1` for production.
   */
  readonly apiBaseUrl?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Principal` header for the registration calls. Default: the registration's. */
  readonly privacyPrincipal?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Justification` header for the registration calls. Default: the registration's. */
  readonly privacyJustification?: pulumi.Input<string>;
  /**
   * Adopt an already registered webhook (its id, `wbh_…`) instead of creating one: the way to bring a webhook
   * registered by hand under Pulumi without a second registration. Default: none (create).
   */
  readonly adoptWebhookId?: pulumi.Input<string>;
  /**
   * Delete the old registration before creating its replacement (default `false`: create first, so deliveries
   * never stop; the old secret stays valid as `AWSPREVIOUS` for `rotationGraceSeconds`).
   */
  readonly deleteBeforeReplace?: boolean;
  /** Path lemon.markets POSTs to. Must start with `/`; plain segments only. Default `/webhooks/lemon-markets`. */
  readonly routePath?: string;
  /** Stage throttling. Default 100 requests/s, burst 200. */
  readonly throttling?: ReceiverThrottling;
  /** Retention of the API access logs and the Lambda logs, in days (a CloudWatch value). Default 30. */
  readonly logRetentionDays?: number;
  /** Lambda memory in MB, 128–10240. Default 256 (more memory is more CPU: faster HMAC and cold start). */
  readonly memorySize?: number;
  /** Lambda timeout in seconds, 1–9: under lemon.markets' 10 s delivery deadline. Default 8. */
  readonly timeoutSeconds?: number;
  /** Reserved concurrency of the receiver Lambda (caps cost and downstream load). Default: unreserved. */
  readonly reservedConcurrency?: number;
  /** How long a replaced signature secret (`AWSPREVIOUS`) keeps verifying, 1 s–30 days. Default 86400. */
  readonly rotationGraceSeconds?: number;
  /**
   * How long a stored event (and so its id, for dedupe) stays in the table, 1 hour–365 days. Default 604800
   * (7 days). Also the window `reforward` can reach back.
   */
  readonly dedupeTtlSeconds?: number;
  /** Largest accepted delivery body, 1024–204800 bytes. Default 65536. */
  readonly maxBodyBytes?: number;
  /** How long the Lambda caches the fetched secret, 0–3600 seconds. Default 300. */
  readonly secretCacheSeconds?: number;
  /**
   * How lemon.markets signs deliveries: a preset name (`lemon-default`, `hex-key`, `base64-digest`,
   * `hex-key-base64-digest`, `sha256-prefixed`, `sha512`, `stripe-like`, `standard-webhooks`), a JSON object
   * string, or an object of scheme fields (`{ preset: "stripe-like", toleranceSeconds: 600 }`); see
   * docs/signature-schemes.md. Not secret: it goes into the receiver Lambda's environment. Default
   * `lemon-default`, the documented assumption; the receiver's probe logs the preset to use if it is wrong.
   */
  readonly signatureScheme?: SignatureSchemeInput;
  /** Forward to this existing bus instead of creating one. Default: a new bus `<name>-bus`. */
  readonly eventBus?: ExistingEventBus;
  /** Retention of the replay archive in days; 0 keeps events forever. Default 30. */
  readonly archiveRetentionDays?: number;
  /** Email address subscribed to a new SNS topic that receives every alarm. Excludes `alarmTopicArn`. */
  readonly alarmEmail?: string;
  /** Existing SNS topic that receives every alarm. Excludes `alarmEmail`. Default: alarms without actions. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * Directory holding the built receiver bundle (`index.js`). Default: `dist/lambda-bundle/receiver` of the
   * `lemon-webhooks` package, written by `npm run build:lambda`.
   */
  readonly lambdaBundleDir?: string;
  /**
   * Directory holding the built forwarder bundle (`index.js`). Default: `dist/lambda-bundle/forwarder` of the
   * `lemon-webhooks` package, written by `npm run build:lambda`.
   */
  readonly forwarderBundleDir?: string;
  /**
   * Application log level of the receiver, forwarder and reconciler Lambdas (Lambda's JSON `applicationLogLevel`):
   * TRACE, DEBUG, INFO, WARN, ERROR or FATAL. Default INFO. Lambda's own START/REPORT lines are always kept.
   */
  readonly logLevel?: LambdaLogLevel;
  /**
   * Days Secrets Manager keeps a deleted secret restorable, for every secret the component creates (the
   * signature secret and the reconciler's API-key secret): 0 deletes at once, or 7–30. Default 0: `pulumi
   * destroy` leaves no secret behind, and neither value needs restoring (the webhook is unregistered on
   * destroy; the API key stays in stack config).
   */
  readonly secretRecoveryWindowInDays?: number;
  /** Tags added to every taggable child. Default none. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The scheduled reconciler (`LemonEventReconciler`): `true` or options to add it, `false`/unset for none.
   * It reads `GET /v1/events` every 15 minutes and stores what the webhook path missed (the stream forwards it);
   * see docs/operations.md. Needs the API key (`lemonmarkets:apiKey`) at deploy time. Default off.
   */
  readonly reconciler?: boolean | ReceiverReconcilerOptions;
}

/** Every default the component applies, in one place (the docs quote these). */
export const RECEIVER_DEFAULTS = Object.freeze({
  routePath: "/webhooks/lemon-markets",
  throttling: Object.freeze({ rateLimit: 100, burstLimit: 200 }),
  logRetentionDays: 30,
  memorySize: 256,
  timeoutSeconds: 8,
  // The Lambda's own defaults (lambda/receiver/config.ts), so an unset argument and an unset variable agree.
  rotationGraceSeconds: NUMBER_RULES.rotationGraceSeconds.defaultValue,
  dedupeTtlSeconds: NUMBER_RULES.dedupeTtlSeconds.defaultValue,
  maxBodyBytes: NUMBER_RULES.maxBodyBytes.defaultValue,
  secretCacheSeconds: NUMBER_RULES.secretCacheSeconds.defaultValue,
  archiveRetentionDays: 30,
  logLevel: "INFO" as LambdaLogLevel,
  secretRecoveryWindowInDays: 0,
});

/** {@link LemonWebhookReceiverArgs} after validation, with every default filled in. */
export interface ResolvedReceiverArgs {
  readonly events: readonly string[];
  readonly routePath: string;
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: number;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency: number | undefined;
  readonly rotationGraceSeconds: number;
  readonly dedupeTtlSeconds: number;
  readonly maxBodyBytes: number;
  readonly secretCacheSeconds: number;
  /** The validated scheme. */
  readonly signatureScheme: SignatureScheme;
  readonly archiveRetentionDays: number;
  readonly logLevel: LambdaLogLevel;
  readonly secretRecoveryWindowInDays: number;
  /** Event types outside the published list (warned about, not rejected). */
  readonly unpublishedEvents: readonly string[];
}
