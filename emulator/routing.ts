/** Matching request paths and methods to the API routes; 404 and 405 as ApiErrors. */
import { ApiError } from "./errors";
import { createAccount } from "./routes/accounts";
import type { RouteHandler, RouteResult } from "./routes/context";
import { listEvents } from "./routes/events";
import { createWebhook, deleteWebhook, listWebhooks } from "./routes/webhooks";
import type { Fault, FaultRoute } from "./types";

export interface ApiRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly route: FaultRoute;
  readonly handler: RouteHandler;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: "POST", pattern: /^\/v1\/webhooks$/, route: "POST /v1/webhooks", handler: createWebhook },
  { method: "GET", pattern: /^\/v1\/webhooks$/, route: "GET /v1/webhooks", handler: listWebhooks },
  {
    method: "DELETE",
    pattern: /^\/v1\/webhooks\/(?<id>[^/]+)$/,
    route: "DELETE /v1/webhooks/:id",
    handler: deleteWebhook,
  },
  { method: "GET", pattern: /^\/v1\/events$/, route: "GET /v1/events", handler: listEvents },
  { method: "POST", pattern: /^\/v1\/accounts$/, route: "POST /v1/accounts", handler: createAccount },
];

/** A route's result plus what the server adds: extra headers, and the fault that shaped it. */
export interface Reply extends RouteResult {
  readonly headers?: Record<string, string>;
  readonly fault?: Fault;
}

/** Thrown (and answered) when a path exists but not for this method. */
export class MethodNotAllowed extends ApiError {
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super(405, `method ${method} is not allowed here; use ${allow.join(" or ")}`);
  }
}

export function matchRoute<T extends { method: string; pattern: RegExp }>(
  routes: readonly T[],
  method: string,
  path: string,
) {
  const forPath = routes.filter((route) => route.pattern.test(path));
  if (forPath.length === 0)
    throw new ApiError(
      404,
      `no route ${path}; the emulator serves /v1/webhooks, /v1/events and /v1/accounts`,
    );
  const route = forPath.find((candidate) => candidate.method === method);
  if (!route)
    throw new MethodNotAllowed(
      method,
      forPath.map((candidate) => candidate.method),
    );
  let params: Record<string, string> = {};
  try {
    params = Object.fromEntries(
      Object.entries(route.pattern.exec(path)?.groups ?? {}).map(([name, value]) => [
        name,
        decodeURIComponent(value),
      ]),
    );
  } catch {
    throw new ApiError(404, `no route ${path}: a path segment is not valid percent-encoding`);
  }
  return { route, params };
}
