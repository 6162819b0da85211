/**
 * What the event source mapping does, done by hand against moto's real DynamoDB Streams API: read the table's
 * records (DescribeStream → GetShardIterator → GetRecords, `PeerAws.streamRecords`), keep those the mapping's
 * filter lets through (`FORWARDER_FILTER_PATTERN`: INSERTs of event items), and invoke the forwarder bundle's
 * container with them as one batch, exactly the shape Lambda hands it.
 */
import type { StreamBatchResponse } from "../../../lambda/forwarder/stream";
import { FORWARDER_FILTER_PATTERN, STORED_EVENT_ATTRIBUTES } from "../../../contract/events-table";
import type { PeerAws, StreamRecord } from "./aws";
import type { LambdaContainer } from "./bundles";

/** True when the mapping's filter passes `record`. */
export function passesFilter(record: StreamRecord): boolean {
  const kind = record.dynamodb.NewImage?.[STORED_EVENT_ATTRIBUTES.kind] as { S?: string } | undefined;
  return (
    (FORWARDER_FILTER_PATTERN.eventName as readonly string[]).includes(record.eventName) &&
    kind?.S !== undefined &&
    FORWARDER_FILTER_PATTERN.dynamodb.NewImage[STORED_EVENT_ATTRIBUTES.kind].S.includes(kind.S)
  );
}

/**
 * Hands the filtered records of `tableName` for `eventIds` (all when absent) to `forwarder` as one batch;
 * resolves with the records handed and the forwarder's partial batch response.
 */
export async function forwardFromStream(
  aws: PeerAws,
  tableName: string,
  forwarder: LambdaContainer,
  eventIds?: readonly string[],
): Promise<{ records: StreamRecord[]; response: StreamBatchResponse }> {
  const records = (await aws.streamRecords(tableName)).filter(
    (r) => passesFilter(r) && (eventIds === undefined || eventIds.includes(r.dynamodb.Keys.pk.S)),
  );
  const response = await forwarder.invoke<StreamBatchResponse>({ Records: records }, 60_000);
  return { records, response };
}
