/**
 * Validation of the lemon.markets event envelope `{id, type, created_at, context}` (the `EventExternal`
 * schema of spec/lemon-markets/lemonmarkets-events-webhooks-api-openapi.yml). Only the envelope is checked:
 * lemon.markets warns that `context` shapes evolve and new event types appear, so both are passed through.
 * Runs only after the signature is verified.
 */
import { EnvelopeError } from "../lambda/core/errors";

/** A validated event envelope. */
export interface EventEnvelope {
  readonly id: string;
  readonly type: string;
  readonly created_at: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** `evt_` plus an opaque identifier; bounded so it always fits a DynamoDB key and a log line. */
export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9_-]{1,128}$/;

/**
 * `<entity>.<action>`. Kept in step with `EVENT_TYPE_PATTERN` of components/lemon-api/event-types.ts by a
 * test rather than an import, so the Lambda bundle contains nothing from outside `lambda/`.
 */
export const ENVELOPE_TYPE_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

// ISO 8601 date-time with seconds and an explicit offset (`Z` or ±hh:mm), as lemon.markets sends
// ("2023-06-29T14:40:30.523373+00:00"); fractions up to nanoseconds.
const ISO_8601_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True for an ISO 8601 date-time with an offset naming a real calendar day. */
export function isIsoTimestampWithOffset(value: string): boolean {
  const match = ISO_8601_WITH_OFFSET.exec(value);
  if (match === null) return false;
  return isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses `text` and checks the envelope; throws {@link EnvelopeError} whose reason names the field.
 *
 * @example
 * parseEnvelope('{"id":"evt_1","type":"account.created","created_at":"2023-06-29T14:40:30+00:00","context":{}}');
 */
export function parseEnvelope(text: string): EventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EnvelopeError("body is not valid JSON");
  }
  if (!isPlainObject(parsed)) throw new EnvelopeError("body must be a JSON object (the event envelope)");
  const { id, type, created_at: createdAt, context } = parsed;
  if (typeof id !== "string" || !EVENT_ID_PATTERN.test(id)) {
    throw new EnvelopeError('field "id" must be an event id like "evt_…" (letters, digits, _ or -)');
  }
  if (typeof type !== "string" || !ENVELOPE_TYPE_PATTERN.test(type)) {
    throw new EnvelopeError('field "type" must be an event type like "account.created"');
  }
  if (typeof createdAt !== "string" || !isIsoTimestampWithOffset(createdAt)) {
    throw new EnvelopeError('field "created_at" must be an ISO 8601 timestamp with offset');
  }
  if (!isPlainObject(context)) throw new EnvelopeError('field "context" must be an object');
  return { id, type, created_at: createdAt, context };
}
