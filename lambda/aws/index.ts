/** The Lambdas' ports on AWS: Secrets Manager, DynamoDB and EventBridge over SigV4-signed JSON calls. */
import type { Dependency } from "../core/errors";
import type { EventStore, SecretSource } from "../core/ports";
import type { ReceiverConfig } from "../receiver/config";
import type { AwsEnvironment, AwsService } from "./environment";
import { DynamoDbEventStore } from "./event-store";
import { AwsJsonClient } from "./json-client";
import { SecretsManagerSecretSource } from "./secret-source";

export { type AwsEnvironment, type AwsService, readAwsEnvironment } from "./environment";
export { EVENT_SOURCE, EventBridgePublisher, type PublishFailure, putEventsChunks } from "./event-sink";
export { DynamoDbEventStore, MARK_CONDITION, markForwarded, STORE_CONDITION } from "./event-store";
export { isTransientAwsFailure } from "./failures";
export { AWS_JSON_PROTOCOLS, AwsJsonClient, AwsServiceError } from "./json-client";
export { AWS_PARTITIONS, type AwsPartition, partitionOf } from "./partitions";
export { SecretsManagerSecretSource } from "./secret-source";
export { type AwsCredentials, signRequest } from "./sigv4";

const DEPENDENCY_OF: Readonly<Record<AwsService, Dependency>> = {
  secretsManager: "secrets-manager",
  dynamodb: "dynamodb",
  eventBridge: "eventbridge",
  cloudWatch: "cloudwatch",
  sqs: "sqs",
};

/** A signed JSON-protocol client for `service` at the environment's endpoint, as the environment's principal. */
export function awsJsonClient(
  aws: AwsEnvironment,
  service: AwsService,
  now?: () => Date,
  timeoutMs?: number,
): AwsJsonClient {
  return new AwsJsonClient({
    dependency: DEPENDENCY_OF[service],
    endpoint: aws.endpoints[service],
    region: aws.region,
    credentials: aws.credentials,
    ...(now === undefined ? {} : { now }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** The AWS implementations of the receiver's ports. */
export interface AwsPorts {
  readonly secrets: SecretSource;
  readonly store: EventStore;
}

/**
 * Builds the receiver's two adapters; no network until first use. No EventBridge client: the receiver only
 * stores.
 *
 * @example
 * const ports = createAwsPorts(readConfig(process.env), readAwsEnvironment(process.env));
 */
export function createAwsPorts(config: ReceiverConfig, aws: AwsEnvironment): AwsPorts {
  return {
    secrets: new SecretsManagerSecretSource(awsJsonClient(aws, "secretsManager"), config.secretArn),
    store: new DynamoDbEventStore(
      awsJsonClient(aws, "dynamodb"),
      config.dedupeTable,
      config.dedupeTtlSeconds,
    ),
  };
}
export {
  BATCH_GET_LIMIT,
  DynamoDbStoredLookup,
  type StoredLookup,
  type StoredState,
  UNPROCESSED_ROUNDS,
} from "./stored-lookup";
