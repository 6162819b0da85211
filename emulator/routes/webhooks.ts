/** `POST /v1/webhooks`, `GET /v1/webhooks`, `DELETE /v1/webhooks/{id}` (operations create_webhook,
 * list_webhooks, delete_webhook of the Events + Webhooks fragment). */
import { isPublishedEventType, type PublishedEventType } from "../../components/lemon-api/event-types";
import { notFound, unprocessable } from "../errors";
import { decodeCursor, encodeCursor, parseLimit, takePage } from "../pagination";
import { jsonObjectBody, shown } from "./body";
import type { RouteHandler } from "./context";

/** `CreateWebhookRequest.url.maxLength`. */
export const MAX_URL_LENGTH = 2083;

function parseUrl(value: unknown): string {
  const fix = "url must be an absolute http(s) URL such as https://example.com/lemon-webhooks";
  if (typeof value !== "string" || value.length === 0) throw unprocessable(`${fix} (got ${shown(value)})`);
  if (value.length > MAX_URL_LENGTH)
    throw unprocessable(`url must be at most ${MAX_URL_LENGTH} characters long`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw unprocessable(`${fix} (got ${shown(value)})`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw unprocessable(`${fix} (got ${shown(value)})`);
  }
  return value;
}

function parseEvents(value: unknown): PublishedEventType[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw unprocessable(`events must be a non-empty array of event types such as ["account.created"]`);
  }
  const unknown = value.filter((type) => typeof type !== "string" || !isPublishedEventType(type));
  if (unknown.length > 0) {
    throw unprocessable(
      `events contains unknown event type(s) ${unknown.map(shown).join(", ")}; ` +
        "use the EventType values lemon.markets publishes, e.g. account.created",
    );
  }
  if (new Set(value).size !== value.length) throw unprocessable("events must not list the same type twice");
  return value as PublishedEventType[];
}

export const createWebhook: RouteHandler = ({ state, rawBody }) => {
  const body = jsonObjectBody(rawBody, 'like {"url": "https://…", "events": ["account.created"]}');
  if (!Object.hasOwn(body, "url")) throw unprocessable("url is required: the https URL to deliver events to");
  if (!Object.hasOwn(body, "events")) throw unprocessable('events is required, e.g. ["account.created"]');
  const url = parseUrl(body.url);
  const events = parseEvents(body.events);
  return { status: 201, body: state.addWebhook(url, events) };
};

export const listWebhooks: RouteHandler = ({ state, query }) => {
  const limit = parseLimit(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "webhooks").after;
  const page = takePage(state.webhookEntries(), { after, descending: false }, limit, (last) =>
    encodeCursor({ listing: "webhooks", after: last, filters: {} }),
  );
  return { status: 200, body: page };
};

export const deleteWebhook: RouteHandler = ({ state, params }) => {
  const id = params.id ?? "";
  if (!state.deleteWebhook(id))
    throw notFound(`no webhook with id ${shown(id)}; list them with GET /v1/webhooks`);
  return { status: 204 };
};
