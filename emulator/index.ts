/**
 * The local lemon.markets emulator: the webhook API surface, signed deliveries with retries, duplicates and
 * reordering on demand, and fault injection. See docs/emulator.md.
 */
export { createAccountRequestProblem } from "./account-request";
export { DEFAULT_DELIVERY, retryDelayMs } from "./delivery";
export { DEFAULT_FAULTS, FAULT_ROUTES } from "./faults";
export { ID_PATTERN } from "./ids";
export { DEFAULT_API_KEYS, DEFAULT_WAIT_MS, PRIVACY_HEADERS, startEmulator } from "./server";
export type {
  DeliveryAttempt,
  DeliveryOptions,
  Emulator,
  EmulatorOptions,
  EnqueuedFault,
  Fault,
  FaultControls,
  FaultRoute,
  LemonEvent,
  RandomFaultOptions,
  RecordedRequest,
  Webhook,
} from "./types";
