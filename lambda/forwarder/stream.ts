/**
 * The shapes Lambda hands a function on a DynamoDB stream (event source mapping) and the partial batch
 * response it reads back (`FunctionResponseTypes: ["ReportBatchItemFailures"]`). Only the fields used here.
 */
import type { Image } from "../../contract/events-table";

/** One stream record as the event source mapping delivers it. */
export interface DynamoDbStreamRecord {
  readonly eventID?: string;
  /** `INSERT` | `MODIFY` | `REMOVE`; the mapping's filter lets only INSERTs of event items through. */
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly eventSourceARN?: string;
  readonly dynamodb?: {
    readonly Keys?: Image;
    readonly NewImage?: Image;
    /** The record's position in its shard: the `itemIdentifier` of a reported failure. */
    readonly SequenceNumber?: string;
    readonly ApproximateCreationDateTime?: number;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
}

/** The invocation event: a batch of records, oldest first within each key. */
export interface DynamoDbStreamEvent {
  readonly Records: readonly DynamoDbStreamRecord[];
}

/**
 * The partial batch response: the records NOT processed. Lambda retries from the lowest reported sequence
 * number (with bisect-on-error, in halves), so the records after it are handed over again too.
 */
export interface StreamBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}
