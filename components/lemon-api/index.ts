/**
 * The lemon.markets Events + Webhooks API client (the package subpath `lemon-webhooks/lemon-api`): operations,
 * pagination, options and their defaults, the retry policy, the error type, and the API's shapes.
 *
 * @example
 * import { createLemonClient } from "lemon-webhooks/lemon-api";
 * const lemon = createLemonClient({ apiKey: process.env.LEMON_MARKETS_API_KEY ?? "" });
 * for (const webhook of await lemon.listWebhooks()) console.log(webhook.id, webhook.url);
 */

export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../contract/backoff";
export { createLemonClient, type LemonClient } from "./client";
export { LemonApiError, type LemonApiErrorDetails, type LemonErrorKind, type LemonOperation } from "./errors";
export {
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
