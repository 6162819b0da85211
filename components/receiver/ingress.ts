/**
 * The public endpoint lemon.markets POSTs to: an API Gateway HTTP API with exactly one route, its `$default`
 * stage (so the registered URL is `<invoke URL><route path>`, no stage segment) with throttling and JSON access
 * logs, and the permission letting that one route invoke the receiver.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedReceiverArgs } from "./args";

/** Stage name: `$default` serves the API at its root URL and deploys every change automatically. */
export const STAGE_NAME = "$default";

/**
 * Fields of one access log line. Request metadata only: no headers (the signature) and no body (the event).
 * `$context.integrationErrorMessage` tells a Lambda failure apart from a throttle when a 5xx alarm fires.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  httpMethod: "$context.httpMethod",
  path: "$context.path",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  integrationErrorMessage: "$context.integrationErrorMessage",
});

/** The ingress resources. */
export interface Ingress {
  readonly api: aws.apigatewayv2.Api;
  readonly integration: aws.apigatewayv2.Integration;
  readonly route: aws.apigatewayv2.Route;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  readonly stage: aws.apigatewayv2.Stage;
  readonly permission: aws.lambda.Permission;
}

/** Creates the HTTP API, route, integration, stage and invoke permission for `fn`. */
export function createIngress(
  name: string,
  args: ResolvedReceiverArgs,
  fn: aws.lambda.Function,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): Ingress {
  const api = new aws.apigatewayv2.Api(
    `${name}-api`,
    {
      protocolType: "HTTP",
      description: `Receives lemon.markets webhooks at POST ${args.routePath}`,
      tags: { ...tags },
    },
    { parent },
  );
  const integration = new aws.apigatewayv2.Integration(
    `${name}-integration`,
    {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: fn.arn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
    },
    { parent },
  );
  const route = new aws.apigatewayv2.Route(
    `${name}-route`,
    {
      apiId: api.id,
      routeKey: `POST ${args.routePath}`,
      target: pulumi.interpolate`integrations/${integration.id}`,
    },
    { parent },
  );
  const accessLogGroup = new aws.cloudwatch.LogGroup(
    `${name}-access-logs`,
    { retentionInDays: args.logRetentionDays, tags: { ...tags } },
    { parent },
  );
  const stage = new aws.apigatewayv2.Stage(
    `${name}-stage`,
    {
      apiId: api.id,
      name: STAGE_NAME,
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: args.throttling.rateLimit,
        throttlingBurstLimit: args.throttling.burstLimit,
      },
      accessLogSettings: { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
      tags: { ...tags },
    },
    // Auto-deploy publishes the route only once it exists; without the ordering the first deployment may lack it.
    { parent, dependsOn: [route] },
  );
  const permission = new aws.lambda.Permission(
    `${name}-invoke`,
    {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "apigateway.amazonaws.com",
      // `<execution ARN>/<stage>/<method>/<path>`: the stage segment is a wildcard because the `$default` stage
      // appears there under its own name and a literal `$` is awkward in ARN matching; method and path are exact,
      // so no other route or API can invoke the receiver.
      sourceArn: pulumi.interpolate`${api.executionArn}/*/POST${args.routePath}`,
    },
    { parent },
  );
  return { api, integration, route, accessLogGroup, stage, permission };
}
