/** What every API route handler gets and returns. */
import type { EmulatorState } from "../state";
import type { LemonEvent } from "../types";

export interface RouteContext {
  readonly state: EmulatorState;
  readonly query: Readonly<Record<string, string>>;
  /** Raw request body text; POST handlers parse it themselves (400 when malformed, 422 when missing). */
  readonly rawBody: string;
  /** Path parameters, e.g. `id` of `/v1/webhooks/{id}`. */
  readonly params: Readonly<Record<string, string>>;
  /** Records an event and hands it to the delivery loop. */
  readonly emit: (type: string, context: Record<string, string>) => LemonEvent;
}

export interface RouteResult {
  readonly status: number;
  /** JSON body; absent for 204. */
  readonly body?: unknown;
}

export type RouteHandler = (context: RouteContext) => RouteResult;
