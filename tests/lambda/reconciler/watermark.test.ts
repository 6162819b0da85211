import fc from "fast-check";
import { DynamoDbEventStore, markForwarded } from "../../../lambda/aws/event-store";
import { AwsJsonClient } from "../../../lambda/aws/json-client";
import { DynamoDbStoredLookup } from "../../../lambda/aws/stored-lookup";
import { LOCAL_CREDENTIALS, type LocalDynamo, startLocalDynamo } from "../../../local";
import { DynamoDbWatermarkStore, WATERMARK_KEY } from "../../../lambda/reconciler/watermark";

describe("Class: DynamoDbWatermarkStore on dynalite", () => {
  let dynamo: LocalDynamo;
  let client: AwsJsonClient;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    client = new AwsJsonClient({
      dependency: "dynamodb",
      endpoint: new URL(dynamo.endpoint),
      region: "eu-central-1",
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    await dynamo.close();
  });

  beforeEach(async () => {
    await client.call("DeleteItem", { TableName: dynamo.tableName, Key: { pk: { S: WATERMARK_KEY } } });
  });

  it("reads nothing before the first write, then the stored watermark with a readable copy and no TTL", async () => {
    // Prepare
    const store = new DynamoDbWatermarkStore(client, dynamo.tableName);
    const before = await store.read();

    // Act
    const moved = await store.advance(Date.parse("2026-07-20T10:00:00.000Z"), 1_000);

    // Assess
    expect(before).toBeUndefined();
    expect(moved).toBe(true);
    expect(await store.read()).toBe(Date.parse("2026-07-20T10:00:00.000Z"));
    expect(await dynamo.getItem(WATERMARK_KEY)).toEqual({
      pk: { S: WATERMARK_KEY },
      watermarkMs: { N: String(Date.parse("2026-07-20T10:00:00.000Z")) },
      watermark: { S: "2026-07-20T10:00:00.000Z" },
      updatedAtMs: { N: "1000" },
    });
  });

  it("refuses to move backwards or stay put, keeping the later value", async () => {
    // Prepare
    const store = new DynamoDbWatermarkStore(client, dynamo.tableName);
    await store.advance(2_000, 1);

    // Act
    const backwards = await store.advance(1_000, 2);
    const same = await store.advance(2_000, 3);

    // Assess
    expect(backwards).toBe(false);
    expect(same).toBe(false);
    expect(await store.read()).toBe(2_000);
  });

  it("ends at the largest value whatever order concurrent runs write in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 }),
        async (values) => {
          // Prepare
          await client.call("DeleteItem", { TableName: dynamo.tableName, Key: { pk: { S: WATERMARK_KEY } } });
          const store = new DynamoDbWatermarkStore(client, dynamo.tableName);

          // Act
          await Promise.all(values.map((v) => store.advance(v, 0)));

          // Assess
          expect(await store.read()).toBe(Math.max(...values));
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("Class: DynamoDbStoredLookup on dynalite", () => {
  let dynamo: LocalDynamo;
  let client: AwsJsonClient;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    client = new AwsJsonClient({
      dependency: "dynamodb",
      endpoint: new URL(dynamo.endpoint),
      region: "eu-central-1",
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    await dynamo.close();
  });

  it("reports exactly the stored ids with their forwarded mark, across more than one batch, ignoring unknown ones", async () => {
    // Prepare
    const store = new DynamoDbEventStore(client, dynamo.tableName, 3_600);
    const ids = Array.from({ length: 130 }, (_, i) => `evt_lookup_${i}`);
    const forwardedIds = ids.filter((_, i) => i % 3 === 0);
    for (const id of ids.slice(0, 120)) {
      await store.store(
        { id, type: "order.executed", createdAt: "2026-07-20T10:00:00+00:00", body: "{}", via: "reconciler" },
        1,
      );
      if (forwardedIds.includes(id)) await markForwarded(client, dynamo.tableName, id, 2);
    }

    // Act
    const found = await new DynamoDbStoredLookup(client, dynamo.tableName).states([...ids, ids[0]!]);

    // Assess
    expect([...found.keys()].sort()).toEqual(ids.slice(0, 120).sort());
    expect(
      [...found]
        .filter(([, state]) => state.forwarded)
        .map(([id]) => id)
        .sort(),
    ).toEqual(forwardedIds.filter((id) => ids.indexOf(id) < 120).sort());
  });
});
