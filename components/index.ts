/**
 * The public API of lemon-webhooks (the package's `main`): the receiver component, the registration resource
 * it builds on, and the lemon.markets API client.
 *
 * @example
 * import { LemonWebhookReceiver } from "lemon-webhooks";
 * const receiver = new LemonWebhookReceiver("lemon", { events: ["order.executed"] });
 */

// The signature scheme as configuration (issue 14): what `signatureScheme` accepts, named.
export type { SignatureScheme } from "../contract/signature";
export type { SignaturePresetName, SignatureSchemeInput } from "../contract/signature-presets";
export {
  formatSignatureScheme,
  parseSignatureScheme,
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  SignatureSchemeError,
} from "../contract/signature-presets";
export * from "./lemon-api";
export { LemonWebhookReceiver, RECEIVER_TYPE } from "./receiver/receiver";
export type {
  ExistingEventBus,
  LemonWebhookReceiverArgs,
  ReceiverThrottling,
} from "./receiver/args";
export { RECEIVER_DEFAULTS } from "./receiver/args";
export { EVENT_SOURCE, eventPattern } from "./receiver/fanout";
export type { ArnTarget, Subscription, SubscriptionArgs, SubscriptionTarget } from "./receiver/subscription";
export { endpointUrl } from "./receiver/url";
export { ReceiverArgsError, validateReceiverArgs } from "./receiver/validate";
export * from "./reconciler";
export * from "./registration";
