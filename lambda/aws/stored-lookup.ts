/**
 * A read-only look at the table for many event ids at once (`BatchGetItem`, ≤ 100 keys per call, consistent
 * reads): which are stored, and which of those are marked forwarded. The reconciler skips stored ids without
 * a write (in steady state every event it reads was stored by the webhook); the forwarder skips records whose
 * event is already marked forwarded (a stream retry re-delivers the records after a failed one, which were
 * forwarded the first time). It can only skip work: an id it cannot tell about is simply absent.
 */
import { STORED_EVENT_ATTRIBUTES } from "../../contract/events-table";
import type { AwsJsonClient } from "./json-client";

/** `BatchGetItem`'s key limit. */
export const BATCH_GET_LIMIT = 100;
/** Rounds for `UnprocessedKeys` (throttling); ids still unprocessed are simply not reported. */
export const UNPROCESSED_ROUNDS = 3;

/** What the table says about one stored id. */
export interface StoredState {
  readonly forwarded: boolean;
}

/** Looks up stored ids. */
export interface StoredLookup {
  /** The subset of `eventIds` that is stored, each with whether it is marked forwarded. */
  states(eventIds: readonly string[]): Promise<ReadonlyMap<string, StoredState>>;
}

type Key = { readonly pk: { readonly S: string } };

interface BatchGetOutput {
  readonly Responses?: Record<string, ReadonlyArray<Record<string, { S?: string; N?: string } | undefined>>>;
  readonly UnprocessedKeys?: Record<string, { Keys?: Key[] }>;
}

/** {@link StoredLookup} on the table. Throws `DependencyUnavailableError` when a call fails. */
export class DynamoDbStoredLookup implements StoredLookup {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly tableName: string,
  ) {}

  async states(eventIds: readonly string[]): Promise<ReadonlyMap<string, StoredState>> {
    const a = STORED_EVENT_ATTRIBUTES;
    const found = new Map<string, StoredState>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Key[] = unique.slice(i, i + BATCH_GET_LIMIT).map((id) => ({ pk: { S: id } }));
      for (let round = 0; round < UNPROCESSED_ROUNDS && keys.length > 0; round += 1) {
        const result = await this.client.call<BatchGetOutput>("BatchGetItem", {
          RequestItems: {
            [this.tableName]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: "#id, #f",
              ExpressionAttributeNames: { "#id": a.id, "#f": a.forwardedAtMs },
            },
          },
        });
        const items = result.ok ? (result.value.Responses?.[this.tableName] ?? []) : [];
        for (const item of items) {
          const id = item[a.id]?.S;
          if (id !== undefined) found.set(id, { forwarded: item[a.forwardedAtMs]?.N !== undefined });
        }
        keys = result.ok ? (result.value.UnprocessedKeys?.[this.tableName]?.Keys ?? []) : [];
      }
    }
    return found;
  }
}
