/** The scheduled reconciler: reads missed events from `GET /v1/events` and stores them (the stream forwards). */

export { RECONCILER_ENV_NAMES, type ReconcilerEnvName } from "../../contract/env-names";
export { RECONCILER_METRICS, RECONCILER_SERVICE } from "../../contract/metrics";
export { RECONCILER_NUMBER_RULES, windowProblems } from "../../contract/settings";
export {
  BATCH_GET_LIMIT,
  DynamoDbStoredLookup,
  type StoredLookup,
  UNPROCESSED_ROUNDS,
} from "../aws/stored-lookup";
export {
  DEFAULT_API_BASE_URL,
  DEFAULT_RECONCILER_JUSTIFICATION,
  DEFAULT_RECONCILER_PRINCIPAL,
  type ReconcilerConfig,
  readReconcilerConfig,
} from "./config";
export { ApiKeyFormatError, EventsApiError, type EventsApiFailure } from "./errors";
export {
  createEventsApi,
  DEFAULT_EVENTS_RETRY,
  EVENTS_PAGE_SIZE,
  type EventsApi,
  type EventsApiOptions,
  type EventsQuery,
  type EventsRetryPolicy,
  MIN_REQUEST_MS,
  type PagingLimits,
} from "./events-api";
export {
  buildAwsReconciler,
  createReconcilerHandler,
  DEADLINE_MARGIN_MS,
  handler,
  type ReconcilerContext,
  type ReconcilerEnvironment,
  type ReconcilerHandler,
  type ReconcileSummary,
  type RunReconciliation,
} from "./handler";
export { writeRunMetrics } from "./metrics";
export {
  DEDUPE_TTL_MARGIN_SECONDS,
  type ReconcileDeps,
  type ReconcileReport,
  type ReconcileSettings,
  type RunOutcome,
  reconcile,
} from "./reconcile";
export {
  AWS_RETRY,
  isTransientAwsFailure,
  type RetryingPorts,
  type RetryTiming,
  retryingPorts,
  withAwsRetry,
} from "./retry";
export { DynamoDbWatermarkStore, WATERMARK_KEY, type WatermarkStore } from "./watermark";
