/**
 * WebhookRegistration: the lemon.markets webhook as a Pulumi resource. The API key comes from stack config
 * (`lemonmarkets:apiKey`) inside the provider, never from args, so it is in neither the resource's state nor
 * `__provider` (the engine records the stack config, encrypted when secret, as its default provider's inputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { unpublishedEventWarnings } from "./check";
import { sharedProvider } from "./locate";
import type { WebhookRegistrationArgs } from "./types";

/** Output that the engine must store as a secret although no same-named input was secret. */
const SECRET_OUTPUTS = ["signatureSecret"];

/**
 * Registers a lemon.markets webhook for `url` and `events`; destroys unregister it. The returned
 * `signatureSecret` is a Pulumi secret: hand it to Secrets Manager, never to a Lambda environment.
 *
 * @example
 * const registration = new WebhookRegistration("lemon", {
 *   url: pulumi.interpolate`${api.apiEndpoint}/webhooks/lemon`,
 *   events: ["account.created", "order.executed"],
 * });
 * new aws.secretsmanager.SecretVersion("lemon-secret", { secretId: secret.id, secretString: registration.signatureSecret });
 */
export class WebhookRegistration extends pulumi.dynamic.Resource {
  // `declare`: the base class fills these in; a class field initialiser would overwrite them with undefined.
  /** lemon.markets webhook id (also the resource id). */
  declare readonly webhookId: pulumi.Output<string>;
  /** The registered URL as lemon.markets reports it. */
  declare readonly url: pulumi.Output<string>;
  /** Registered event types, sorted and deduplicated. */
  declare readonly events: pulumi.Output<string[]>;
  /** The API base URL the webhook is registered with. */
  declare readonly apiBaseUrl: pulumi.Output<string>;
  /** HMAC key of the `Lemon-Markets-Signature` header; a Pulumi secret. */
  declare readonly signatureSecret: pulumi.Output<string>;

  constructor(name: string, args: WebhookRegistrationArgs, opts: pulumi.CustomResourceOptions = {}) {
    const props = {
      url: args.url,
      events: args.events,
      apiBaseUrl: args.apiBaseUrl,
      privacyPrincipal: args.privacyPrincipal,
      privacyJustification: args.privacyJustification,
      deleteBeforeReplace: args.deleteBeforeReplace,
      adoptWebhookId: args.adoptWebhookId,
      // Declared (as undefined inputs) so the base class creates these outputs.
      webhookId: undefined,
      signatureSecret: undefined,
    };
    super(sharedProvider(), name, props, withSecretOutputs(opts), "lemon-webhooks", "WebhookRegistration");
    // CheckResult cannot carry warnings through the provider host, so they are raised here, on the program
    // side, once the event list is known.
    pulumi.output(args.events).apply((events) => {
      for (const warning of unpublishedEventWarnings(events)) {
        pulumi.log.warn(warning, this);
      }
    });
  }
}

/** `opts` with `signatureSecret` added to `additionalSecretOutputs` (kept once, user entries preserved). */
export function withSecretOutputs(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  const existing = opts.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...existing, ...SECRET_OUTPUTS])] };
}
