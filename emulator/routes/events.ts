/**
 * `GET /v1/events` (operation list_events): every parameter the fragment declares — the `context.*`
 * identifier filters, `type`, `since`, `sort` (default `desc`, newest first), `limit` and `cursor`.
 * Undeclared query parameters are ignored, as the FastAPI service does.
 */
import { isPublishedEventType } from "../../components/lemon-api/event-types";
import { EVENT_CONTEXT_FILTERS } from "../../components/lemon-api/types";
import { parseDateTimeMicros } from "../clock";
import { unprocessable } from "../errors";
import { decodeCursor, encodeCursor, parseLimit, takePage } from "../pagination";
import type { StoredEvent } from "../state";
import { shown } from "./body";
import type { RouteHandler } from "./context";

/** Context keys the operation can filter on (`context.<key>=<id>`): the same list the client sends. */
export const CONTEXT_FILTER_KEYS = EVENT_CONTEXT_FILTERS;

const FILTER_NAMES = new Set<string>([
  "type",
  "since",
  "sort",
  ...CONTEXT_FILTER_KEYS.map((key) => `context.${key}`),
]);

/**
 * The filter parameters of `source`, validated (422 naming the parameter). Used for the query and again for
 * a cursor's copy, since a cursor comes back from the client.
 */
function eventFilters(source: Readonly<Record<string, string>>): Record<string, string> {
  const filters = Object.fromEntries(Object.entries(source).filter(([name]) => FILTER_NAMES.has(name)));
  if (filters.type !== undefined && !isPublishedEventType(filters.type)) {
    throw unprocessable(
      `type must be a published event type such as account.created (got ${shown(filters.type)})`,
    );
  }
  if (filters.since !== undefined && parseDateTimeMicros(filters.since) === undefined) {
    throw unprocessable(
      `since must be an RFC 3339 date-time with offset such as 2023-06-29T14:40:30.523373+00:00 (got ${shown(filters.since)})`,
    );
  }
  if (filters.sort !== undefined && filters.sort !== "asc" && filters.sort !== "desc") {
    throw unprocessable(`sort must be asc or desc (got ${shown(filters.sort)})`);
  }
  return filters;
}

function matches(
  entry: StoredEvent,
  filters: Readonly<Record<string, string>>,
  sinceMicros: number,
): boolean {
  const { type, context } = entry.value;
  if (filters.type !== undefined && type !== filters.type) return false;
  if (entry.micros < sinceMicros) return false;
  return CONTEXT_FILTER_KEYS.every((key) => {
    const wanted = filters[`context.${key}`];
    return wanted === undefined || context[key] === wanted;
  });
}

export const listEvents: RouteHandler = ({ state, query }) => {
  const limit = parseLimit(query.limit);
  // "A cursor will include filter parameters": with a cursor, its filters win over the query's.
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "events");
  const filters = eventFilters(cursor ? cursor.filters : query);
  const descending = filters.sort !== "asc";
  const sinceMicros =
    filters.since === undefined ? Number.NEGATIVE_INFINITY : parseDateTimeMicros(filters.since)!;
  const selected = state.eventEntries().filter((entry) => matches(entry, filters, sinceMicros));
  if (descending) selected.reverse();
  const page = takePage(selected, { after: cursor?.after, descending }, limit, (last) =>
    encodeCursor({ listing: "events", after: last, filters }),
  );
  return { status: 200, body: page };
};
