/**
 * A read-only pre-check of the dedupe table: which of a page's event ids are already `done`. In steady state
 * every event the reconciler reads was forwarded by the webhook path, and the claim path would spend a
 * conditional write plus a read on each one; one `BatchGetItem` per page (≤ 100 keys) answers for all of
 * them. Events not reported `done` still go through the full claim → forward path, which stays the only
 * judge: the pre-check can only skip work, never forward anything.
 */
import type { AwsJsonClient } from "../aws/json-client";

/** Tells which event ids are already forwarded. */
export interface DedupeLookup {
  /** The subset of `eventIds` marked `done`; an id it cannot tell about is simply not in the set. */
  forwardedIds(eventIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/** `BatchGetItem`'s key limit. */
export const BATCH_GET_LIMIT = 100;
/** Rounds for `UnprocessedKeys` (throttling); what is still unprocessed goes through the claim path. */
export const UNPROCESSED_ROUNDS = 3;

type Key = { readonly pk: { readonly S: string } };

interface BatchGetOutput {
  readonly Responses?: Record<string, ReadonlyArray<{ pk?: { S?: string }; status?: { S?: string } }>>;
  readonly UnprocessedKeys?: Record<string, { Keys?: Key[] }>;
}

/** {@link DedupeLookup} on the dedupe table. */
export class DynamoDbDedupeLookup implements DedupeLookup {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly tableName: string,
  ) {}

  async forwardedIds(eventIds: readonly string[]): Promise<ReadonlySet<string>> {
    const done = new Set<string>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Key[] = unique.slice(i, i + BATCH_GET_LIMIT).map((id) => ({ pk: { S: id } }));
      for (let round = 0; round < UNPROCESSED_ROUNDS && keys.length > 0; round += 1) {
        const result = await this.client.call<BatchGetOutput>("BatchGetItem", {
          RequestItems: {
            [this.tableName]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: "pk, #s",
              ExpressionAttributeNames: { "#s": "status" },
            },
          },
        });
        const items = result.ok ? (result.value.Responses?.[this.tableName] ?? []) : [];
        for (const item of items) if (item.status?.S === "done" && item.pk?.S) done.add(item.pk.S);
        keys = result.ok ? (result.value.UnprocessedKeys?.[this.tableName]?.Keys ?? []) : [];
      }
    }
    return done;
  }
}
