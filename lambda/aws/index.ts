/** The receiver's ports on AWS: Secrets Manager, DynamoDB and EventBridge over SigV4-signed JSON calls. */
import type { ReceiverConfig } from "../config";
import type { DedupeStore, EventSink, SecretSource } from "../ports";
import { DynamoDbDedupeStore } from "./dedupe-store";
import type { AwsEnvironment } from "./environment";
import { EventBridgeEventSink } from "./event-sink";
import { AwsJsonClient } from "./json-client";
import { SecretsManagerSecretSource } from "./secret-source";

export { DynamoDbDedupeStore } from "./dedupe-store";
export { type AwsEnvironment, readAwsEnvironment } from "./environment";
export { EVENT_SOURCE, EventBridgeEventSink } from "./event-sink";
export { AwsJsonClient, AwsServiceError } from "./json-client";
export { SecretsManagerSecretSource } from "./secret-source";
export { type AwsCredentials, signRequest } from "./sigv4";

/** The AWS implementations of the core's ports. */
export interface AwsPorts {
  readonly secrets: SecretSource;
  readonly dedupe: DedupeStore;
  readonly sink: EventSink;
}

/**
 * Builds the three adapters; no network until first use.
 *
 * @example
 * const ports = createAwsPorts(readConfig(process.env), readAwsEnvironment(process.env));
 */
export function createAwsPorts(config: ReceiverConfig, aws: AwsEnvironment): AwsPorts {
  const common = { region: aws.region, credentials: aws.credentials };
  const secretsManager = new AwsJsonClient({
    ...common,
    dependency: "secrets-manager",
    endpoint: aws.endpoints.secretsManager,
    signingName: "secretsmanager",
    targetPrefix: "secretsmanager",
    jsonVersion: "1.1",
  });
  const dynamodb = new AwsJsonClient({
    ...common,
    dependency: "dynamodb",
    endpoint: aws.endpoints.dynamodb,
    signingName: "dynamodb",
    targetPrefix: "DynamoDB_20120810",
    jsonVersion: "1.0",
  });
  const eventBridge = new AwsJsonClient({
    ...common,
    dependency: "eventbridge",
    endpoint: aws.endpoints.eventBridge,
    signingName: "events",
    targetPrefix: "AWSEvents",
    jsonVersion: "1.1",
  });
  return {
    secrets: new SecretsManagerSecretSource(secretsManager, config.secretArn),
    dedupe: new DynamoDbDedupeStore(dynamodb, config.dedupeTable, {
      ttlSeconds: config.dedupeTtlSeconds,
      leaseSeconds: config.claimLeaseSeconds,
    }),
    sink: new EventBridgeEventSink(eventBridge, config.eventBusName),
  };
}
