/**
 * Validation of operation arguments, before anything is sent: a bad argument is a programming or
 * configuration error that no retry can fix, so it throws a TypeError/RangeError naming the argument.
 */
import { EVENT_TYPE_PATTERN } from "./event-types";
import { type CreateWebhookInput, EVENT_CONTEXT_FILTERS, type ListEventsQuery } from "./types";

/** Largest page the API serves (`limit` maximum in the OpenAPI fragment). */
export const MAX_PAGE_SIZE = 100;
/** `CreateWebhookRequest.url.maxLength`. */
const MAX_URL_LENGTH = 2083;
const CONTEXT_FILTERS = new Set<string>(EVENT_CONTEXT_FILTERS);

/** Checks the body of `POST /v1/webhooks`; returns a copy holding only the published fields. */
export function checkCreateWebhookInput(input: CreateWebhookInput): CreateWebhookInput {
  const where = "lemon.markets createWebhook:";
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`${where} pass { url, events }`);
  }
  const { url, events } = input;
  if (typeof url !== "string" || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new TypeError(
      `${where} url must be an absolute http(s) URL, e.g. https://example.com/lemon-webhooks`,
    );
  }
  if (url.length > MAX_URL_LENGTH) {
    throw new RangeError(
      `${where} url is ${url.length} characters long; lemon.markets accepts at most ${MAX_URL_LENGTH}`,
    );
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new TypeError(`${where} events must be a non-empty array of event types, e.g. ["account.created"]`);
  }
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    checkEventType(`${where} events[${index}]`, event);
    if (seen.has(event))
      throw new TypeError(`${where} events[${index}] repeats "${event}" — list each type once`);
    seen.add(event);
  }
  return { url, events: [...events] };
}

/** Checks a webhook id and returns its URL path segment. */
export function webhookIdSegment(id: string): string {
  // "." and ".." survive encodeURIComponent and would be resolved away, addressing another path.
  if (typeof id !== "string" || id === "" || id === "." || id === "..") {
    throw new TypeError(
      "lemon.markets deleteWebhook: id must be a webhook identifier like wbh_0953534cf20f…",
    );
  }
  return encodeURIComponent(id);
}

/** Checks `pageSize`/`limit`. */
export function checkPageSize(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new RangeError(`lemon.markets: ${field} must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return value;
}

/** The query string of `GET /v1/events`, parameters in the order the OpenAPI fragment lists them. */
export function eventsQueryParams(query: ListEventsQuery): URLSearchParams {
  const where = "lemon.markets listEvents:";
  if (typeof query !== "object" || query === null) throw new TypeError(`${where} query must be an object`);
  const params = new URLSearchParams();
  const context = query.context ?? {};
  for (const name of Object.keys(context).sort()) {
    const id: unknown = context[name as keyof typeof context];
    if (!CONTEXT_FILTERS.has(name)) {
      throw new TypeError(
        `${where} context.${name} is not a filter of GET /v1/events; use one of ${EVENT_CONTEXT_FILTERS.join(", ")}`,
      );
    }
    if (typeof id !== "string" || id === "")
      throw new TypeError(`${where} context.${name} must be a non-empty identifier`);
    params.set(`context.${name}`, id);
  }
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== "string" || query.cursor === "") {
      throw new TypeError(`${where} cursor must be a pagination.next_cursor from a previous page`);
    }
    params.set("cursor", query.cursor);
  }
  const limit = checkPageSize("limit", query.limit);
  if (limit !== undefined) params.set("limit", String(limit));
  if (query.since !== undefined) params.set("since", sinceText(where, query.since));
  if (query.sort !== undefined) {
    if (query.sort !== "asc" && query.sort !== "desc")
      throw new TypeError(`${where} sort must be "asc" or "desc"`);
    params.set("sort", query.sort);
  }
  if (query.type !== undefined) {
    checkEventType(`${where} type`, query.type);
    params.set("type", query.type);
  }
  return params;
}

/** RFC 3339 date-time with an offset: the `date-time` format of the `since` parameter. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function sinceText(where: string, since: Date | string): string {
  const readable =
    since instanceof Date
      ? !Number.isNaN(since.getTime())
      : typeof since === "string" && DATE_TIME.test(since) && !Number.isNaN(Date.parse(since));
  if (!readable) {
    throw new TypeError(
      `${where} since must be a Date or an RFC 3339 date-time with offset, e.g. 2024-05-22T13:06:13Z`,
    );
  }
  return since instanceof Date ? since.toISOString() : since;
}

function checkEventType(field: string, type: unknown): asserts type is string {
  if (typeof type !== "string" || !EVENT_TYPE_PATTERN.test(type)) {
    // Arrays land here too: the API filters by a single type, so callers query once per type.
    throw new TypeError(`${field} must be one event type like "account.created"`);
  }
}
