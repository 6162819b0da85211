/**
 * The comparison point of the benchmark: the same receiver flow (store first: verify → one conditional
 * PutItem of the event → 200) written the usual way, on AWS SDK v3 clients with Powertools' Logger and
 * Metrics (the setup issue 4's "about 110 ms" figure describes). Only
 * bundled and loaded by bench/run.ts (never deployed); it exists to measure what the SDK and Powertools cost
 * at cold start, so it is complete enough to pull in everything a real handler of that kind would.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "../lambda/receiver/apigw";
import { parseEnvelope } from "../contract/event";
import { verify } from "../contract/signature";

const secrets = new SecretsManagerClient({});
const dynamodb = new DynamoDBClient({});
const logger = new Logger({ serviceName: "lemon-webhooks-reference" });
const metrics = new Metrics({ namespace: "LemonWebhooks", serviceName: "lemon-webhooks-reference" });

/** SDK-based equivalent of the receiver's happy path. */
export async function handler(event: ApiGatewayV2Event): Promise<ApiGatewayV2Result> {
  const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
  const secret = await secrets.send(
    new GetSecretValueCommand({
      SecretId: process.env.LEMON_SIGNATURE_SECRET_ARN,
      VersionStage: "AWSCURRENT",
    }),
  );
  if (!verify(body, event.headers["lemon-markets-signature"], [secret.SecretString ?? ""])) {
    metrics.addMetric("Rejected", MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return { statusCode: 401, body: '{"error":"invalid_signature"}' };
  }
  const envelope = parseEnvelope(body.toString("utf8"));
  await dynamodb.send(
    new PutItemCommand({
      TableName: process.env.LEMON_DEDUPE_TABLE,
      Item: {
        pk: { S: envelope.id },
        kind: { S: "event" },
        type: { S: envelope.type },
        createdAt: { S: envelope.created_at },
        body: { S: body.toString("utf8") },
        expiresAt: { N: String(Math.floor(Date.now() / 1000) + 604_800) },
      },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );
  logger.info("stored", { eventId: envelope.id, eventType: envelope.type });
  metrics.addMetric("Stored", MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { statusCode: 200, body: '{"status":"stored"}' };
}
