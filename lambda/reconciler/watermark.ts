/**
 * The reconciler's watermark: the newest `created_at` (epoch ms) up to which every event is known to be
 * forwarded. Stored as one item in the dedupe table, so it needs no extra table and lives as long as the
 * dedupe state it depends on. The item has no `expiresAt`, so the table's TTL never removes it.
 *
 * Writes are conditional (`watermarkMs < :new`): two overlapping runs can both write, but the watermark only
 * ever moves forward.
 */
import type { AwsJsonClient } from "../aws/json-client";

/** Partition key of the watermark item; event ids start with `evt_`, so it never collides with one. */
export const WATERMARK_KEY = "reconciler#watermark";

/** Durable watermark storage. */
export interface WatermarkStore {
  /** The stored watermark (epoch ms), or `undefined` before the first successful run. */
  read(): Promise<number | undefined>;
  /** Moves the watermark to `watermarkMs` if that is later; false when a later one is already stored. */
  advance(watermarkMs: number, nowMs: number): Promise<boolean>;
}

interface StoredWatermark {
  readonly watermarkMs?: { readonly N?: string };
}

/** {@link WatermarkStore} as an item of the dedupe table (partition key `pk`). */
export class DynamoDbWatermarkStore implements WatermarkStore {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<number | undefined> {
    const got = await this.client.call<{ Item?: StoredWatermark }>("GetItem", {
      TableName: this.tableName,
      Key: { pk: { S: WATERMARK_KEY } },
      ConsistentRead: true,
    });
    const raw = got.ok ? got.value.Item?.watermarkMs?.N : undefined;
    const value = raw === undefined ? Number.NaN : Number(raw);
    return Number.isSafeInteger(value) ? value : undefined;
  }

  async advance(watermarkMs: number, nowMs: number): Promise<boolean> {
    const result = await this.client.call(
      "UpdateItem",
      {
        TableName: this.tableName,
        Key: { pk: { S: WATERMARK_KEY } },
        UpdateExpression: "SET #w = :w, #iso = :iso, #u = :u",
        ConditionExpression: "attribute_not_exists(#w) OR #w < :w",
        ExpressionAttributeNames: { "#w": "watermarkMs", "#iso": "watermark", "#u": "updatedAtMs" },
        ExpressionAttributeValues: {
          ":w": { N: String(watermarkMs) },
          // For people reading the table: the same instant, readable.
          ":iso": { S: new Date(watermarkMs).toISOString() },
          ":u": { N: String(nowMs) },
        },
      },
      ["ConditionalCheckFailedException"],
    );
    return result.ok;
  }
}
