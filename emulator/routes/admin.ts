/**
 * Admin routes for people driving the CLI by hand (curl, `--keep-running` demos). They live outside `/v1`
 * so they can never be mistaken for lemon.markets API, and need no API key (the emulator listens on
 * 127.0.0.1 by default). They never return secrets.
 */
import { unprocessable } from "../errors";
import type { DeliveryAttempt } from "../types";
import { jsonObjectBody } from "./body";
import type { RouteContext, RouteResult } from "./context";

/** `POST /_emulator/events {type, context}` → 201 with the emitted event. */
export function emitEvent({ rawBody, emit }: RouteContext): RouteResult {
  const body = jsonObjectBody(rawBody, 'like {"type": "account.created", "context": {"account": "cusa_…"}}');
  try {
    return { status: 201, body: emit(body.type as string, (body.context ?? {}) as Record<string, string>) };
  } catch (error) {
    if (error instanceof TypeError) throw unprocessable(error.message);
    throw error;
  }
}

/** `GET /_emulator/deliveries` → 200 `{data: DeliveryAttempt[]}`, oldest first. */
export function listDeliveries(deliveries: readonly DeliveryAttempt[]): RouteResult {
  return { status: 200, body: { data: deliveries } };
}
