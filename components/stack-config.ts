/**
 * Stack config → {@link LemonWebhookReceiverArgs}, for the stack program (`index.ts`). Keys live in the
 * `lemon-webhooks` namespace; Pulumi.yaml declares the ones with defaults, docs/deploy.md lists them all.
 * The lemon.markets API key (`lemonmarkets:apiKey`) is not read here: the registration's provider reads it
 * from the engine's config, and the reconciler (components/reconciler/args.ts) reads it as a Pulumi secret.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LemonWebhookReceiverArgs } from "./lemon-webhook-receiver";
import { ReceiverArgsError, validateSignatureScheme } from "./receiver/validate";

/** Config namespace of the stack program's keys (the project name). */
export const CONFIG_NAMESPACE = "lemon-webhooks";

function stringList(config: pulumi.Config, key: string): string[] {
  const value = config.requireObject<unknown>(key);
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new ReceiverArgsError(
      `${CONFIG_NAMESPACE}:${key}`,
      `must be a list of event types: pulumi config set --path '${CONFIG_NAMESPACE}:${key}[0]' order.executed`,
    );
  }
  return value;
}

/** `lemon-webhooks:signatureScheme`: unset → the component's default (lemon-default). */
function signatureSchemeFromConfig(config: pulumi.Config): LemonWebhookReceiverArgs["signatureScheme"] {
  const value = config.get("signatureScheme");
  if (value === undefined) return undefined;
  return validateSignatureScheme(value, `${CONFIG_NAMESPACE}:signatureScheme`);
}

/**
 * Reads the receiver's arguments from stack config. Unset optional keys stay undefined so the component's
 * defaults apply.
 *
 * @example
 * const receiver = new LemonWebhookReceiver("lemon", receiverArgsFromConfig());
 */
export function receiverArgsFromConfig(
  config = new pulumi.Config(CONFIG_NAMESPACE),
): LemonWebhookReceiverArgs {
  const eventBusName = config.get("eventBusName");
  const rateLimit = config.getNumber("throttleRateLimit");
  const burstLimit = config.getNumber("throttleBurstLimit");
  return {
    events: stringList(config, "events"),
    apiBaseUrl: config.get("apiBaseUrl"),
    privacyPrincipal: config.get("privacyPrincipal"),
    privacyJustification: config.get("privacyJustification"),
    routePath: config.get("routePath"),
    throttling: rateLimit === undefined && burstLimit === undefined ? undefined : { rateLimit, burstLimit },
    logRetentionDays: config.getNumber("logRetentionDays"),
    memorySize: config.getNumber("memorySize"),
    timeoutSeconds: config.getNumber("timeoutSeconds"),
    reservedConcurrency: config.getNumber("reservedConcurrency"),
    archiveRetentionDays: config.getNumber("archiveRetentionDays"),
    alarmEmail: config.get("alarmEmail"),
    logLevel: config.get("logLevel") as LemonWebhookReceiverArgs["logLevel"],
    secretRecoveryWindowInDays: config.getNumber("secretRecoveryWindowInDays"),
    dashboard: config.getBoolean("dashboard"),
    // An object ({ name, certificateArn, hostedZoneId? }); the component validates it.
    domain: config.getObject<LemonWebhookReceiverArgs["domain"]>("domain"),
    // A preset name or a JSON object; checked here so the error names the config key.
    signatureScheme: signatureSchemeFromConfig(config),
    // An existing bus is named in config; its ARN (for IAM and the archive) is looked up.
    eventBus:
      eventBusName === undefined
        ? undefined
        : { name: eventBusName, arn: aws.cloudwatch.getEventBusOutput({ name: eventBusName }).arn },
  };
}
