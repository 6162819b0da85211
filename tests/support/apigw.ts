/** API Gateway v2 events and Lambda contexts for driving the handler (in-process or the built bundle). */
import type { ApiGatewayV2Event, LambdaContext } from "../../lambda/receiver/apigw";
import { sign } from "../../contract/signature";
import { SECRET } from "./events";

/** A signed `POST /webhooks/lemon-markets` as API Gateway (payload format 2.0) hands it to the Lambda. */
export function signedApiGatewayEvent(
  body: string,
  requestId: string,
  secret: string = SECRET,
): ApiGatewayV2Event {
  return {
    version: "2.0",
    routeKey: "POST /webhooks/lemon-markets",
    rawPath: "/webhooks/lemon-markets",
    rawQueryString: "",
    headers: { "content-type": "application/json", "lemon-markets-signature": sign(body, secret) },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: {
        method: "POST",
        path: "/webhooks/lemon-markets",
        protocol: "HTTP/1.1",
        sourceIp: "1.2.3.4",
        userAgent: "lm",
      },
      requestId,
      routeKey: "POST /webhooks/lemon-markets",
      stage: "$default",
      time: "20/Jul/2026:10:00:00 +0000",
      timeEpoch: 1_784_541_600_000,
    },
    body,
    isBase64Encoded: false,
  };
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
