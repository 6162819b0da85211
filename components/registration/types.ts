/**
 * Shapes of the WebhookRegistration dynamic resource: what the program passes (Args, with `pulumi.Input`s),
 * what the provider receives once the engine resolved them (inputs), and what it records in state (outputs).
 */
import type * as pulumi from "@pulumi/pulumi";

/** Stack config key of the lemon.markets API key (`pulumi config set --secret lemonmarkets:apiKey <key>`). */
export const API_KEY_CONFIG_KEY = "lemonmarkets:apiKey";

/** Environment variable read when {@link API_KEY_CONFIG_KEY} is not set (CI without stack config). */
export const API_KEY_ENV_VAR = "LEMON_MARKETS_API_KEY";

/** Arguments of `new WebhookRegistration(name, args, opts)`. */
export interface WebhookRegistrationArgs {
  /**
   * Receiver URL lemon.markets POSTs events to: absolute `https://`, at most 2083 characters. `http://` is
   * accepted only for localhost, 127.0.0.1 and [::1] (emulator, sandbox). Changing it replaces the webhook.
   */
  url: pulumi.Input<string>;
  /**
   * Event types to receive (`<entity>.<action>`), at least one. Order and duplicates do not matter: they are
   * normalised (sorted, deduplicated). Types outside the published list are accepted with a warning because
   * lemon.markets says the list grows. Changing the set replaces the webhook.
   */
  events: pulumi.Input<pulumi.Input<string>[]>;
  /** API base URL ending in `/v1`. Default: the lemon.markets sandbox. Changing it replaces the webhook. */
  apiBaseUrl?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Principal` header value; changing it is an in-place update (no API call). */
  privacyPrincipal?: pulumi.Input<string>;
  /** `LMG-Data-Privacy-Access-Justification` header value; changing it is an in-place update. */
  privacyJustification?: pulumi.Input<string>;
  /**
   * Replacement order. Default `false`: the new webhook is registered before the old one is deleted, so no
   * event is missed (the receiver dedupes the overlap). Set `true` only if lemon.markets refuses two webhooks
   * with the same URL: the old one is deleted first and events in the gap are delivered to nobody.
   */
  deleteBeforeReplace?: boolean;
  /**
   * Adopt an existing webhook by id instead of creating one (its `url` and `events` must equal the args).
   * The fallback for `pulumi import`, which dynamic providers do not support (pulumi/pulumi#16175).
   * Only read when the resource is created; once adopted, Pulumi deletes the webhook on destroy.
   */
  adoptWebhookId?: pulumi.Input<string>;
}

/** Inputs as the provider receives them from the engine (resolved, before `check`). */
export interface RegistrationInputs {
  readonly url: string;
  readonly events: readonly string[];
  readonly apiBaseUrl?: string;
  readonly privacyPrincipal?: string;
  readonly privacyJustification?: string;
  readonly deleteBeforeReplace?: boolean;
  readonly adoptWebhookId?: string;
}

/**
 * Inputs after `check`: events sorted and deduplicated, `apiBaseUrl` and `deleteBeforeReplace` filled in.
 * Optional fields are absent rather than `undefined` (the provider host cannot encode `undefined`).
 */
export interface CheckedInputs {
  readonly url: string;
  readonly events: readonly string[];
  readonly apiBaseUrl: string;
  readonly deleteBeforeReplace: boolean;
  readonly privacyPrincipal?: string;
  readonly privacyJustification?: string;
  readonly adoptWebhookId?: string;
}

/** State of a registration: the checked inputs (minus `adoptWebhookId`) plus what lemon.markets returned. */
export interface RegistrationOutputs {
  readonly url: string;
  readonly events: readonly string[];
  readonly apiBaseUrl: string;
  readonly deleteBeforeReplace: boolean;
  readonly privacyPrincipal?: string;
  readonly privacyJustification?: string;
  /** lemon.markets webhook id, e.g. `wbh_0953534cf20f414098533680abd6b1c6`; also the resource id. */
  readonly webhookId: string;
  /** HMAC key of the `Lemon-Markets-Signature` header. A Pulumi secret in state. */
  readonly signatureSecret: string;
}
