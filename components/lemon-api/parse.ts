/**
 * Checks that response bodies have the published shapes before anything trusts them. A failed check names
 * the field only — never its value, which may be a signature secret.
 */
import type { LemonEvent, Page, Webhook } from "./types";

/** A response body that does not have the published shape; `message` names the offending field. */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(object: Json, field: string, path: string): string {
  const value = object[field];
  if (typeof value !== "string" || value === "")
    throw new ShapeError(`${path}.${field} is not a non-empty string`);
  return value;
}

/** A `Webhook`, keeping only its published fields. */
export function parseWebhook(value: unknown, path = "body"): Webhook {
  if (!isObject(value)) throw new ShapeError(`${path} is not a Webhook object`);
  const events = value.events;
  if (!Array.isArray(events) || !events.every((event) => typeof event === "string")) {
    throw new ShapeError(`${path}.events is not an array of strings`);
  }
  return {
    id: requireString(value, "id", path),
    url: requireString(value, "url", path),
    events: [...events],
    signature_secret: requireString(value, "signature_secret", path),
  };
}

/** An `EventExternal`, keeping only its published fields. */
export function parseEvent(value: unknown, path = "body"): LemonEvent {
  if (!isObject(value)) throw new ShapeError(`${path} is not an Event object`);
  const context = value.context;
  if (!isObject(context)) throw new ShapeError(`${path}.context is not an object`);
  for (const [key, id] of Object.entries(context)) {
    if (typeof id !== "string") throw new ShapeError(`${path}.context.${key} is not a string`);
  }
  return {
    id: requireString(value, "id", path),
    type: requireString(value, "type", path),
    created_at: requireString(value, "created_at", path),
    context: { ...(context as Readonly<Record<string, string>>) },
  };
}

/** A `Page[…]` whose elements are checked by `parseItem`. */
export function parsePage<T>(value: unknown, parseItem: (item: unknown, path: string) => T): Page<T> {
  if (!isObject(value)) throw new ShapeError("body is not a Page object");
  const data = value.data;
  if (!Array.isArray(data)) throw new ShapeError("body.data is not an array");
  const pagination = value.pagination;
  // `pagination` is required by the spec; guessing "last page" when it is missing could silently drop items.
  if (!isObject(pagination)) throw new ShapeError("body.pagination is not an object");
  const next = pagination.next_cursor;
  if (next !== undefined && next !== null && (typeof next !== "string" || next === "")) {
    throw new ShapeError("body.pagination.next_cursor is neither a non-empty string nor null");
  }
  return {
    data: data.map((item, index) => parseItem(item, `body.data[${index}]`)),
    pagination: { next_cursor: next ?? null },
  };
}

/** The API's error message (`{"message": "…"}`), if the body has one. */
export function parseApiMessage(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const message = value.message;
  return typeof message === "string" && message !== "" ? message : undefined;
}
