/**
 * DynamoDB on localhost: dynalite (a real implementation of the DynamoDB API, in memory) with the events
 * table already created. It has no Streams API: wrap it with `startLocalStream` (local-stream.ts) to get the
 * table's stream and the forwarder's event source mapping. Point the receiver at it with `AWS_ENDPOINT_URL_DYNAMODB=<endpoint>` and
 * `LEMON_DEDUPE_TABLE=<tableName>`.
 */
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { AwsJsonClient } from "../lambda/aws/json-client";
import { closeServer } from "./aws-json-server";

/** A running local DynamoDB with the dedupe table. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly tableName: string;
  /** The stored item for `eventId` as DynamoDB JSON (`{pk: {S: …}, kind: {S: "event"}, …}`), if any. */
  getItem(eventId: string): Promise<Readonly<Record<string, Readonly<Record<string, string>>>> | undefined>;
  close(): Promise<void>;
}

/** Credentials dynalite accepts (it checks the signature's shape, not its value). */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret-key" } as const;

/**
 * Starts dynalite on 127.0.0.1 and creates the table (`pk` string key, on-demand).
 *
 * @example
 * const dynamo = await startLocalDynamo({ tableName: "lemon-dedupe" });
 * await dynamo.close();
 */
export async function startLocalDynamo(
  options: { readonly tableName?: string; readonly port?: number } = {},
): Promise<LocalDynamo> {
  const tableName = options.tableName ?? "lemon-webhooks-dedupe";
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new AwsJsonClient({
    dependency: "dynamodb",
    endpoint: new URL(endpoint),
    region: "eu-central-1",
    credentials: LOCAL_CREDENTIALS,
  });
  await client.call("CreateTable", {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  });
  // Tables start CREATING; dynalite flips them to ACTIVE on the next tick.
  for (;;) {
    const described = await client.call<{ Table?: { TableStatus?: string } }>("DescribeTable", {
      TableName: tableName,
    });
    if (described.ok && described.value.Table?.TableStatus === "ACTIVE") break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    tableName,
    getItem: async (eventId) => {
      const got = await client.call<{ Item?: Record<string, Record<string, string>> }>("GetItem", {
        TableName: tableName,
        Key: { pk: { S: eventId } },
        ConsistentRead: true,
      });
      return got.ok ? got.value.Item : undefined;
    },
    // Idempotent: the stream stand-in closes the table it wraps, and its owner may too.
    close: () => {
      closing ??= closeServer(server);
      return closing;
    },
  };
}
