/** The lemon.markets Events + Webhooks API client: operations, pagination, retry policy, error type. */

export {
  backoffCeilingMs,
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
  type RetryPolicy,
} from "../../contract/backoff";
export { createLemonClient, type LemonClient } from "./client";
export { LemonApiError, type LemonApiErrorDetails, type LemonErrorKind, type LemonOperation } from "./errors";
export {
  EVENT_TYPE_PATTERN,
  isPublishedEventType,
  PUBLISHED_EVENT_TYPES,
  type PublishedEventType,
} from "./event-types";
export { MAX_PAGE_SIZE } from "./inputs";
export {
  DEFAULT_PRIVACY_JUSTIFICATION,
  DEFAULT_PRIVACY_PRINCIPAL,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type LemonClientOptions,
  PRODUCTION_BASE_URL,
  SANDBOX_BASE_URL,
} from "./options";
export {
  type CreateWebhookInput,
  EVENT_CONTEXT_FILTERS,
  type EventContextFilter,
  type EventsPage,
  type LemonEvent,
  type ListEventsQuery,
  type ListWebhooksOptions,
  type Page,
  type Webhook,
} from "./types";
