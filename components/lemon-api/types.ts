/**
 * Shapes of the lemon.markets Events + Webhooks API, as published in
 * `spec/lemon-markets/lemonmarkets-events-webhooks-api-openapi.yml` (field names kept in the API's snake_case so
 * a value read from the API can be compared with one written to it without a mapping layer).
 */

/** A registered webhook (`Webhook` schema). `signature_secret` is a secret: never log it. */
export interface Webhook {
  /** Identifier, e.g. `wbh_0953534cf20f414098533680abd6b1c6`. */
  readonly id: string;
  /** The URL lemon.markets POSTs events to. */
  readonly url: string;
  /** Event types delivered to `url`. */
  readonly events: readonly string[];
  /** Shared secret for the `Lemon-Markets-Signature` header. Returned on create and on list. */
  readonly signature_secret: string;
}

// An event (`EventExternal` schema): one definition, shared with the Lambdas and the emulator.
import type { LemonEvent } from "../../contract/event";

export type { LemonEvent };

/** One page of a cursor-paginated list (`Page[…]` schemas). */
export interface Page<T> {
  readonly data: readonly T[];
  readonly pagination: {
    /** Cursor for the next page; absent or `null` on the last page. */
    readonly next_cursor?: string | null;
  };
}

/** Body of `POST /v1/webhooks` (`CreateWebhookRequest` schema). */
export interface CreateWebhookInput {
  /** Absolute URL of the receiver, at most 2083 characters. */
  readonly url: string;
  /** At least one event type, no duplicates. */
  readonly events: readonly string[];
}

/** Options of {@link LemonClient.listWebhooks}. */
export interface ListWebhooksOptions {
  /** Page size sent as `limit`, 1–100. Default 100 (fewest requests). */
  readonly pageSize?: number;
}

/**
 * The `context.*` filters of `GET /v1/events`: each restricts the result to events whose `context` has the
 * given identifier under that key.
 */
export const EVENT_CONTEXT_FILTERS = [
  "account",
  "batch_order",
  "identification",
  "order",
  "person",
  "securities_account",
  "securities_transfer",
  "sweep",
  "tax_exemption_order",
  "trade",
  "transaction",
  "treasury_mandate",
  "treasury_transfer",
  "update",
  "workflow",
] as const;

/** Name of a `context.*` filter of `GET /v1/events`. */
export type EventContextFilter = (typeof EVENT_CONTEXT_FILTERS)[number];

/**
 * Query of `GET /v1/events`, exactly the parameters the OpenAPI fragment declares. There is no `until`
 * parameter and `type` takes a single event type: the API publishes nothing else.
 */
export interface ListEventsQuery {
  /** Only events created at or after this moment (`since`, an RFC 3339 date-time with offset). */
  readonly since?: Date | string;
  /** `desc` (API default): newest first; `asc`: oldest first. */
  readonly sort?: "asc" | "desc";
  /** Only events of this one type (`type`). */
  readonly type?: string;
  /** Page size (`limit`), 1–100; the API defaults to 100. */
  readonly limit?: number;
  /** A `pagination.next_cursor` from a previous page; it already carries the filters of that query. */
  readonly cursor?: string;
  /** `context.<name>` filters, e.g. `{ account: "cusa_…" }`. */
  readonly context?: Readonly<Partial<Record<EventContextFilter, string>>>;
}

/** One page of events with the cursor of the next page (`null` on the last page). */
export interface EventsPage {
  readonly data: readonly LemonEvent[];
  readonly nextCursor: string | null;
}
