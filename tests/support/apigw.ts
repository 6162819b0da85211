/** API Gateway v2 events and Lambda contexts for driving the handler (in-process or the built bundle). */

import { sign } from "../../contract/signature";
import type { ApiGatewayV2Event, LambdaContext } from "../../lambda/receiver/apigw";
import { apiGatewayEvent } from "../../local/http-adapter";
import { SECRET } from "./events";

/** The receiver's route, as the component creates it (`ANY`, like the local adapter's). */
const ROUTE = "/webhooks/lemon-markets";

/** What a test chooses of a request to the receiver's route; the rest is what the local adapter sets. */
export interface ReceiverRequest {
  /** Default `POST`. */
  readonly method?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Absent: an empty body. */
  readonly body?: string;
  /** Default `false`. */
  readonly isBase64Encoded?: boolean;
  /** Default: a random UUID. */
  readonly requestId?: string;
}

/**
 * A request to the receiver's route as API Gateway (payload format 2.0) hands it to the Lambda, built by the
 * local adapter's {@link apiGatewayEvent} (the one place the event's shape is written down).
 */
export function receiverEvent(request: ReceiverRequest): ApiGatewayV2Event {
  return apiGatewayEvent({
    method: request.method ?? "POST",
    path: ROUTE,
    routeKey: `ANY ${ROUTE}`,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded ?? false,
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    now: new Date(),
  });
}

/** A signed `POST /webhooks/lemon-markets` as API Gateway (payload format 2.0) hands it to the Lambda. */
export function signedApiGatewayEvent(
  body: string,
  requestId?: string,
  secret: string = SECRET,
): ApiGatewayV2Event {
  return receiverEvent({
    headers: { "content-type": "application/json", "lemon-markets-signature": sign(body, secret) },
    body,
    ...(requestId === undefined ? {} : { requestId }),
  });
}

/** A Lambda context whose invocation ends `timeoutMs` after it was created; counts the handler's reads. */
export function fakeContext(timeoutMs: number): LambdaContext & { readonly reads: () => number } {
  const endMs = Date.now() + timeoutMs;
  let reads = 0;
  return {
    getRemainingTimeInMillis: () => {
      reads += 1;
      return endMs - Date.now();
    },
    reads: () => reads,
  };
}
