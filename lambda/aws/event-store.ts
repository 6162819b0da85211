/**
 * The stored events on DynamoDB (`../stored-event.ts` says what an item holds). Storing is ONE conditional
 * `PutItem` (`attribute_not_exists(pk)`): of any number of concurrent or repeated writes of one event id
 * exactly one lands, whoever wrote it (webhook or reconciler), and the table's stream hands that one INSERT
 * to the forwarder. A condition failure means "already stored": nothing else to do.
 *
 * A write without a clear answer (timeout, reset, 5xx, the invocation's deadline) may or may not have landed.
 * Nothing is compensated: the caller reports it (the receiver answers 503) and the sender's next attempt
 * settles it through the same condition, either storing the event or finding it stored.
 */
import type { Deadline } from "../core/deadline";
import type { EventStore, StoreOutcome } from "../core/ports";
import { type NewStoredEvent, STORED_EVENT_ATTRIBUTES, storedEventItem } from "../../contract/events-table";
import type { AwsJsonClient } from "./json-client";

const CONDITION_FAILED = ["ConditionalCheckFailedException"] as const;

/** The condition of the storing write: only a new event id is stored. */
export const STORE_CONDITION = `attribute_not_exists(${STORED_EVENT_ATTRIBUTES.id})`;
/** The condition of the forwarded mark: an item expired (TTL) meanwhile is not re-created by the mark. */
export const MARK_CONDITION = `attribute_exists(${STORED_EVENT_ATTRIBUTES.id})`;

/** {@link EventStore} on a DynamoDB table with partition key `pk` (string) and TTL attribute `expiresAt`. */
export class DynamoDbEventStore implements EventStore {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly tableName: string,
    /** How long an event id is remembered (`LEMON_DEDUPE_TTL_SECONDS`). */
    private readonly ttlSeconds: number,
  ) {}

  async store(event: NewStoredEvent, nowMs: number, deadline?: Deadline): Promise<StoreOutcome> {
    const put = await this.client.call(
      "PutItem",
      {
        TableName: this.tableName,
        Item: storedEventItem(event, nowMs, this.ttlSeconds),
        ConditionExpression: STORE_CONDITION,
      },
      CONDITION_FAILED,
      deadline,
    );
    return put.ok ? "stored" : "duplicate";
  }
}

/**
 * Marks `eventId` forwarded at `nowMs` (a conditional `UpdateItem`, `attribute_exists(pk)`). Resolves false
 * when the item no longer exists (expired); throws `DependencyUnavailableError` when the write failed.
 *
 * @example
 * await markForwarded(dynamodb, "lemon-dedupe", "evt_1", Date.now());
 */
export async function markForwarded(
  client: AwsJsonClient,
  tableName: string,
  eventId: string,
  nowMs: number,
): Promise<boolean> {
  const a = STORED_EVENT_ATTRIBUTES;
  const result = await client.call(
    "UpdateItem",
    {
      TableName: tableName,
      Key: { [a.id]: { S: eventId } },
      UpdateExpression: "SET #f = :at",
      ConditionExpression: MARK_CONDITION,
      ExpressionAttributeNames: { "#f": a.forwardedAtMs },
      ExpressionAttributeValues: { ":at": { N: String(nowMs) } },
    },
    CONDITION_FAILED,
  );
  return result.ok;
}
