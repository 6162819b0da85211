/** Turning a POST body into a JSON object, with the statuses lemon.markets uses. */
import { unprocessable } from "../errors";
import { parseJson } from "../http-io";

/** 422 for a missing body (a required field is missing), 400 for malformed JSON, 422 for a non-object. */
export function jsonObjectBody(rawBody: string, expected: string): Record<string, unknown> {
  if (rawBody.trim() === "") throw unprocessable(`request body is required: send a JSON object ${expected}`);
  const body = parseJson(rawBody);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw unprocessable(`request body must be a JSON object ${expected}`);
  }
  return body as Record<string, unknown>;
}

/** Echo of a client value in an error message, bounded so a huge value cannot flood logs. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
