/**
 * The local end-to-end sandbox behind `npm start`: reusable wiring (emulator, receiver Lambda bundle behind a
 * local API Gateway, local AWS stand-ins, registration through the provider) and the guide's walkthrough.
 */
export {
  DEFAULT_EVENTS,
  parseEventList,
  parseSandboxArgs,
  type SandboxCliOptions,
  USAGE,
  UsageError,
} from "./args";
export { ensureReceiverBundle, RECEIVER_BUNDLE } from "./bundle";
export { SandboxError } from "./errors";
export { ERIKA_MUSTERMANN_ACCOUNT, GUIDE_PRIVACY, guideAccountHeaders } from "./guide";
export {
  type LambdaProcess,
  parseReceiverLog,
  type ReceiverLogRecord,
  startLambdaProcess,
} from "./lambda-process";
export {
  configuredProvider,
  type Registration,
  type RegistrationRequest,
  registerWebhook,
  unregisterWebhook,
} from "./registration";
export {
  decodeForwarded,
  type ForwardedEvent,
  RECEIVER_ROUTE,
  SANDBOX_DELIVERY,
  SANDBOX_EVENT_BUS,
  type Sandbox,
  type SandboxOptions,
  type SandboxProgress,
  startSandbox,
} from "./start";
export {
  type CreatedAccount,
  createGuideAccount,
  type DeliveryOutcome,
  type DeliveryReport,
  findProblems,
  pairOutcomes,
  settleDeliveries,
} from "./walkthrough";
