/** Reads the event table directly (dynalite, not through any fault proxy): what the receiver really stored. */
import { AwsJsonClient } from "../../../lambda/aws/json-client";
import { LOCAL_CREDENTIALS } from "../../../local/local-dynamo";
import { STORED_EVENT_ATTRIBUTES, STORED_EVENT_KIND } from "../../../contract/events-table";

/** A stored event item, as the suites read it. */
export interface StoredItem {
  readonly id: string;
  /** The stored body: the verified bytes as UTF-8. */
  readonly body: string;
  /** True once the forwarder marked it forwarded. */
  readonly forwarded: boolean;
}

/**
 * Every event item in `tableName` (consistent scan, all pages).
 *
 * @example
 * const items = await storedEvents(dynamo.endpoint, dynamo.tableName);
 */
export async function storedEvents(endpoint: string, tableName: string): Promise<StoredItem[]> {
  const client = new AwsJsonClient({
    dependency: "dynamodb",
    endpoint: new URL(endpoint),
    region: "eu-central-1",
    credentials: LOCAL_CREDENTIALS,
    timeoutMs: 30_000,
  });
  const items: StoredItem[] = [];
  const a = STORED_EVENT_ATTRIBUTES;
  let start: unknown;
  do {
    const page = await client.call<{
      Items?: Array<Record<string, Record<string, string>>>;
      LastEvaluatedKey?: unknown;
    }>("Scan", {
      TableName: tableName,
      ConsistentRead: true,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    if (!page.ok) throw new Error(`scanning ${tableName} failed: ${page.errorType}`);
    for (const item of page.value.Items ?? []) {
      const id = item[a.id]?.S;
      if (id === undefined || item[a.kind]?.S !== STORED_EVENT_KIND) continue;
      items.push({ id, body: item[a.body]?.S ?? "", forwarded: item[a.forwardedAtMs] !== undefined });
    }
    start = page.value.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
