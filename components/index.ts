/**
 * The public API of lemon-webhooks (the package's `main`): the components, the registration resource, their
 * argument types, the error classes they throw, the subscription types, the published event types and the
 * signature scheme. Named exports only, each one documented in the README ("Public API"); a test snapshots this
 * list, so adding a name is a decision. The lemon.markets API client is the subpath `lemon-webhooks/lemon-api`.
 * (The local emulator is a tool of this repository, `npm run emulator`, not part of the package.)
 *
 * @example
 * import { LemonWebhookReceiver } from "lemon-webhooks";
 * const receiver = new LemonWebhookReceiver("lemon", { events: ["order.executed"] });
 */

// The event and its types.
export type { LemonEvent } from "../contract/event";
export { EVENT_SOURCE } from "../contract/events-table";
// The signature scheme as configuration (`signatureScheme`).
export type { SignatureScheme } from "../contract/signature";
export {
  formatSignatureScheme,
  parseSignatureScheme,
  SIGNATURE_PRESET_NAMES,
  type SignaturePresetName,
  SignatureSchemeError,
  type SignatureSchemeInput,
} from "../contract/signature-presets";
export {
  isPublishedEventType,
  PUBLISHED_EVENT_TYPES,
  type PublishedEventType,
} from "./lemon-api/event-types";
export { LemonWebhookReceiver, type LemonWebhookReceiverArgs } from "./lemon-webhook-receiver";
export {
  type ExistingEventBus,
  RECEIVER_DEFAULTS,
  type ReceiverArgs,
  type ReceiverThrottling,
} from "./receiver/args";
export type { ArnTarget, Subscription, SubscriptionArgs, SubscriptionTarget } from "./receiver/subscription";
export { ReceiverArgsError } from "./receiver/validate";
export {
  LemonEventReconciler,
  type LemonEventReconcilerArgs,
  RECONCILER_DEFAULTS,
  type ReceiverReconcilerOptions,
  ReconcilerArgsError,
} from "./reconciler";
export { MissingApiKeyError } from "./registration/credentials";
export {
  AdoptionError,
  InvalidInputsError,
  RegistrationConflictError,
  RejectedApiKeyError,
  UnconfirmedRegistrationError,
} from "./registration/errors";
export { WebhookRegistration } from "./registration/resource";
export type { RegistrationOutputs, WebhookRegistrationArgs } from "./registration/types";
