/**
 * The comparison point for the forwarder bundle: the same stream batch → PutEvents → forwarded mark flow
 * written the usual way, on AWS SDK v3 clients with Powertools' Logger and Metrics, bundled with the same
 * esbuild options. Only bundled and loaded by bench/run.ts (never deployed); complete enough to pull in
 * what a real handler of that kind would load at cold start.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { BatchGetItemCommand, DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { DynamoDbStreamEvent, StreamBatchResponse } from "../lambda/forwarder/stream";

const dynamodb = new DynamoDBClient({});
const events = new EventBridgeClient({});
const logger = new Logger({ serviceName: "lemon-webhooks-reference-forwarder" });
const metrics = new Metrics({
  namespace: "LemonWebhooks",
  serviceName: "lemon-webhooks-reference-forwarder",
});
const table = process.env.LEMON_DEDUPE_TABLE ?? "";

/** SDK-based equivalent of the forwarder's batch. */
export async function handler(event: DynamoDbStreamEvent): Promise<StreamBatchResponse> {
  const images = event.Records.map((record) => record.dynamodb?.NewImage ?? {});
  const keys = images.map((image) => ({ pk: { S: String((image.pk as { S?: string } | undefined)?.S) } }));
  const seen = await dynamodb.send(
    new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
  );
  const forwarded = new Set(
    (seen.Responses?.[table] ?? []).filter((item) => item.forwardedAtMs).map((item) => item.pk?.S),
  );
  const pending = images.filter((image) => !forwarded.has((image.pk as { S?: string } | undefined)?.S));
  const result = await events.send(
    new PutEventsCommand({
      Entries: pending.map((image) => ({
        EventBusName: process.env.LEMON_EVENT_BUS_NAME,
        Source: "lemon.markets",
        DetailType: (image.type as { S?: string } | undefined)?.S,
        Detail: (image.body as { S?: string } | undefined)?.S,
        Time: new Date(String((image.createdAt as { S?: string } | undefined)?.S)),
      })),
    }),
  );
  const failures: string[] = [];
  await Promise.all(
    pending.map(async (image, index) => {
      const id = (image.pk as { S?: string } | undefined)?.S;
      if (result.Entries?.[index]?.EventId === undefined) {
        failures.push(event.Records[index]?.dynamodb?.SequenceNumber ?? "");
        return;
      }
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: String(id) } },
          UpdateExpression: "SET forwardedAtMs = :now",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":now": { N: String(Date.now()) } },
        }),
      );
      logger.info("forwarded", { eventId: id });
    }),
  );
  metrics.addMetric("Forwarded", MetricUnit.Count, pending.length - failures.length);
  metrics.publishStoredMetrics();
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
