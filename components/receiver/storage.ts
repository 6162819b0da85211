/**
 * The receiver's state: the signature secret and the events (dedupe) table.
 *
 * The secret is two resources on purpose. Its ARN must exist before the Lambda (whose environment holds it),
 * the Lambda before the registration (lemon.markets may deliver as soon as it is registered), and only the
 * registration yields the value: one resource holding both ARN and value would close a dependency cycle. So the
 * container comes first ({@link createSignatureSecret}) and the value after the registration
 * ({@link createSignatureSecretValue}); docs/component.md explains why the value keeps `AWSPREVIOUS`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STORED_EVENT_ATTRIBUTES, STREAM_VIEW_TYPE } from "../../contract/events-table";

/** DynamoDB key schema the Lambdas rely on: the stored event's attributes (contract/events-table.ts). */
export const DEDUPE_TABLE_KEY = Object.freeze({
  partitionKey: STORED_EVENT_ATTRIBUTES.id,
  ttlAttribute: STORED_EVENT_ATTRIBUTES.expiresAt,
});

/**
 * The secret container, created before anything that needs its ARN. Holds no value. A classic aws resource,
 * like everything else of the receiver: it takes the same provider (region, account, credentials) as the
 * Lambda that reads it, and only the classic resource can set the recovery window (Cloud Control's
 * `AWS::SecretsManager::Secret` has no deletion setting).
 */
export function createSignatureSecret(
  name: string,
  recoveryWindowInDays: number,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): aws.secretsmanager.Secret {
  return new aws.secretsmanager.Secret(
    `${name}-signature-secret`,
    {
      description: `lemon.markets webhook signature secret of receiver ${name} (AWSCURRENT; AWSPREVIOUS during a rotation)`,
      recoveryWindowInDays,
      tags: { ...tags },
    },
    { parent },
  );
}

/**
 * The secret's value. A new signature secret (a replaced registration) replaces this resource: the replacement
 * calls PutSecretValue, which makes the new value AWSCURRENT and moves the old one to AWSPREVIOUS. The old
 * resource is retained on delete because the provider's delete removes every staging label it last recorded
 * except AWSCURRENT: after any refresh that label is AWSPREVIOUS, and removing it would end the grace period.
 */
export function createSignatureSecretValue(
  name: string,
  secretArn: pulumi.Input<string>,
  value: pulumi.Input<string>,
  parent: pulumi.Resource,
): aws.secretsmanager.SecretVersion {
  return new aws.secretsmanager.SecretVersion(
    `${name}-signature-secret-value`,
    // Wrapped again here so the value stays secret even if the registration's output were not marked.
    { secretId: secretArn, secretString: pulumi.secret(value) },
    { parent, retainOnDelete: true },
  );
}

/**
 * The events table: on demand (deliveries are bursty and rare), one string key, expiring items, and a stream
 * of new images: every stored event reaches the forwarder from there (see ./forwarder.ts).
 */
export function createDedupeTable(
  name: string,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    `${name}-dedupe`,
    {
      billingMode: "PAY_PER_REQUEST",
      hashKey: DEDUPE_TABLE_KEY.partitionKey,
      attributes: [{ name: DEDUPE_TABLE_KEY.partitionKey, type: "S" }],
      ttl: { attributeName: DEDUPE_TABLE_KEY.ttlAttribute, enabled: true },
      streamEnabled: true,
      streamViewType: STREAM_VIEW_TYPE,
      tags: { ...tags },
    },
    { parent },
  );
}
