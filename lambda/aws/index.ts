/** The receiver's ports on AWS: Secrets Manager, DynamoDB and EventBridge over SigV4-signed JSON calls. */
import type { ReceiverConfig } from "../config";
import type { Dependency } from "../errors";
import type { DedupeStore, EventSink, SecretSource } from "../ports";
import { DynamoDbDedupeStore } from "./dedupe-store";
import type { AwsEnvironment, AwsService } from "./environment";
import { EventBridgeEventSink } from "./event-sink";
import { AwsJsonClient } from "./json-client";
import { SecretsManagerSecretSource } from "./secret-source";

export { DynamoDbDedupeStore } from "./dedupe-store";
export { type AwsEnvironment, type AwsService, readAwsEnvironment } from "./environment";
export { EVENT_SOURCE, EventBridgeEventSink } from "./event-sink";
export { isTransientAwsFailure } from "./failures";
export { AWS_JSON_PROTOCOLS, AwsJsonClient, AwsServiceError } from "./json-client";
export { AWS_PARTITIONS, type AwsPartition, partitionOf } from "./partitions";
export { SecretsManagerSecretSource } from "./secret-source";
export { type AwsCredentials, signRequest } from "./sigv4";

const DEPENDENCY_OF: Readonly<Record<AwsService, Dependency>> = {
  secretsManager: "secrets-manager",
  dynamodb: "dynamodb",
  eventBridge: "eventbridge",
};

/** A signed JSON-protocol client for `service` at the environment's endpoint, as the environment's principal. */
export function awsJsonClient(aws: AwsEnvironment, service: AwsService, now?: () => Date): AwsJsonClient {
  return new AwsJsonClient({
    dependency: DEPENDENCY_OF[service],
    endpoint: aws.endpoints[service],
    region: aws.region,
    credentials: aws.credentials,
    ...(now === undefined ? {} : { now }),
  });
}

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
  return {
    secrets: new SecretsManagerSecretSource(awsJsonClient(aws, "secretsManager"), config.secretArn),
    dedupe: new DynamoDbDedupeStore(awsJsonClient(aws, "dynamodb"), config.dedupeTable, {
      ttlSeconds: config.dedupeTtlSeconds,
      leaseSeconds: config.claimLeaseSeconds,
    }),
    sink: new EventBridgeEventSink(awsJsonClient(aws, "eventBridge"), config.eventBusName),
  };
}
