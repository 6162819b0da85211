/** WebhookRegistration: the dynamic resource registering the lemon.markets webhook, its provider and helpers. */
export {
  checkRegistrationInputs,
  DEFAULT_API_BASE_URL,
  MAX_URL_LENGTH,
  normaliseEvents,
  normaliseUrl,
  type RegistrationCheck,
  unpublishedEventWarnings,
} from "./check";
export { MissingApiKeyError, resolveApiKey } from "./credentials";
export { diffRegistration, REPLACE_PROPERTIES, UPDATE_PROPERTIES } from "./diff";
export {
  AdoptionError,
  InvalidInputsError,
  RegistrationConflictError,
  RejectedApiKeyError,
  UnconfirmedRegistrationError,
} from "./errors";
export { locateOperations, sharedProvider } from "./locate";
export { type ProviderLocation, WebhookRegistrationProvider } from "./provider";
export { WebhookRegistration, withSecretOutputs } from "./resource";
export {
  API_KEY_CONFIG_KEY,
  API_KEY_ENV_VAR,
  type CheckedInputs,
  type RegistrationInputs,
  type RegistrationOutputs,
  type WebhookRegistrationArgs,
} from "./types";
