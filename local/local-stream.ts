/**
 * A stand-in for the table's DynamoDB stream and the forwarder's event source mapping, for `npm start` and
 * the tests (dynalite has no Streams API). Two parts:
 *
 * - a proxy in front of the local DynamoDB: every request passes through unchanged, and every successful
 *   `PutItem` becomes a stream record (`INSERT` when nothing was there before, `MODIFY` otherwise: the proxy
 *   asks DynamoDB for `ReturnValues: ALL_OLD` and hides it from callers that did not ask), with the item as
 *   `NewImage` (stream view NEW_IMAGE) and a growing `SequenceNumber`. A conditional write that fails makes
 *   no record, exactly like DynamoDB;
 * - a poller with the mapping's semantics: records the filter ({@link FORWARDER_FILTER_PATTERN}) lets through
 *   are handed to the handler in order (one shard, so in order per key too), in batches of `batchSize`. A
 *   partial batch response retries from the lowest reported sequence number (so the records after it come
 *   again, as on AWS); a thrown error retries the whole batch; with `bisectOnError` a failing batch is halved
 *   until the failing record is alone; a record that failed alone `maxAttempts` times goes to the on-failure
 *   destination ({@link LocalStream.failures}) and the stream moves on.
 *
 * Never bundled (local/). Constructor: {@link startLocalStream}.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DynamoDbStreamEvent, DynamoDbStreamRecord, StreamBatchResponse } from "../lambda/forwarder/stream";
import {
  FORWARDER_FILTER_PATTERN,
  type Image,
  STORED_EVENT_ATTRIBUTES,
  STREAM_VIEW_TYPE,
} from "../contract/events-table";
import { closeServer } from "./aws-json-server";
import type { LocalDynamo } from "./local-dynamo";

/** What the mapping invokes: the forwarder's handler, in process or in a Lambda process of its own. */
export type StreamHandler = (event: DynamoDbStreamEvent) => Promise<StreamBatchResponse | undefined>;

/** A stream record as the stand-in keeps it. */
export type LocalStreamRecord = DynamoDbStreamRecord & {
  readonly eventName: "INSERT" | "MODIFY";
  readonly dynamodb: { readonly SequenceNumber: string; readonly NewImage: Image; readonly Keys: Image };
};

/** What the on-failure destination receives (the fields of AWS's on-failure record that matter here). */
export interface OnFailureRecord {
  readonly condition: "RetryAttemptsExhausted";
  readonly approximateInvokeCount: number;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** The event ids of the records given up (on AWS, an operator finds them from the sequence numbers). */
  readonly eventIds: readonly string[];
}

/** Options of {@link startLocalStream}; all but `dynamo` optional. */
export interface LocalStreamOptions {
  /** The local DynamoDB whose table the stream belongs to. */
  readonly dynamo: LocalDynamo;
  /** The function the mapping invokes; or {@link LocalStream.attach} it later. */
  readonly handler?: StreamHandler;
  /** Records per invocation (the mapping's `BatchSize`). Default 10. */
  readonly batchSize?: number;
  /** Invocations a record may fail alone before it goes to {@link LocalStream.failures}. Default 3. */
  readonly maxAttempts?: number;
  /** Halve a failing batch until the failing record is alone. Default true. */
  readonly bisectOnError?: boolean;
  /** Wait before a retry, ms. Default 20. */
  readonly retryDelayMs?: number;
}

/** A running stream stand-in. */
export interface LocalStream {
  /**
   * The wrapped DynamoDB: give its `endpoint` to every writer (receiver, reconciler, forwarder), so their
   * writes reach the stream. `getItem` and `close` work as on the plain one (close stops dynalite too).
   */
  readonly dynamo: LocalDynamo;
  /** Every record the table produced, filtered or not, in order. */
  readonly records: readonly LocalStreamRecord[];
  /** What the on-failure destination received, in order. */
  readonly failures: readonly OnFailureRecord[];
  /** Invocations so far. */
  invocations(): number;
  /** Sets (or replaces) the invoked function and starts polling. */
  attach(handler: StreamHandler): void;
  /** Resolves once every record that passed the filter was handled or given up and nothing is running. */
  idle(): Promise<void>;
  /** Stops polling, the proxy and the local DynamoDB. */
  close(): Promise<void>;
}

/** True when `record` passes the mapping's filter (INSERT of an event item). */
export function passesForwarderFilter(record: LocalStreamRecord): boolean {
  const kind = record.dynamodb.NewImage[STORED_EVENT_ATTRIBUTES.kind] as { S?: string } | undefined;
  return (
    (FORWARDER_FILTER_PATTERN.eventName as readonly string[]).includes(record.eventName) &&
    kind?.S !== undefined &&
    FORWARDER_FILTER_PATTERN.dynamodb.NewImage[STORED_EVENT_ATTRIBUTES.kind].S.includes(kind.S)
  );
}

function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the proxy in front of `options.dynamo` and the poller.
 *
 * @example
 * const stream = await startLocalStream({ dynamo: await startLocalDynamo(), handler: forwarderHandler });
 * // writers use stream.dynamo.endpoint; after the deliveries:
 * await stream.idle();
 * await stream.close();
 */
export async function startLocalStream(options: LocalStreamOptions): Promise<LocalStream> {
  const target = new URL(options.dynamo.endpoint);
  const batchSize = options.batchSize ?? 10;
  const maxAttempts = options.maxAttempts ?? 3;
  const bisect = options.bisectOnError ?? true;
  const retryDelayMs = options.retryDelayMs ?? 20;
  const records: LocalStreamRecord[] = [];
  const failures: OnFailureRecord[] = [];
  const queue: LocalStreamRecord[] = [];
  let sequence = 0;
  let invocations = 0;
  let handler = options.handler;
  let running = false;
  let closed = false;
  let limit = batchSize;
  let headAttempts = 0;
  let shutdown: Promise<void> | undefined;
  const stop = () => {
    closed = true;
    shutdown ??= (async () => {
      while (running) await sleep(5);
      await closeServer(server);
      await options.dynamo.close();
    })();
    return shutdown;
  };

  function record(eventName: "INSERT" | "MODIFY", item: Image): void {
    sequence += 1;
    const key = { [STORED_EVENT_ATTRIBUTES.id]: item[STORED_EVENT_ATTRIBUTES.id]! } as Image;
    const entry: LocalStreamRecord = {
      eventID: String(sequence),
      eventName,
      eventSource: "aws:dynamodb",
      dynamodb: {
        Keys: key,
        NewImage: item,
        SequenceNumber: String(sequence).padStart(21, "0"),
        StreamViewType: STREAM_VIEW_TYPE,
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      },
    };
    records.push(entry);
    if (passesForwarderFilter(entry)) {
      queue.push(entry);
      pump();
    }
  }

  function giveUp(batch: readonly LocalStreamRecord[]): void {
    failures.push({
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: headAttempts,
      startSequenceNumber: batch[0]!.dynamodb.SequenceNumber,
      endSequenceNumber: batch.at(-1)!.dynamodb.SequenceNumber,
      batchSize: batch.length,
      eventIds: batch.map((r) => (r.dynamodb.Keys[STORED_EVENT_ATTRIBUTES.id] as { S: string }).S),
    });
    queue.splice(0, batch.length);
    headAttempts = 0;
    limit = batchSize;
  }

  /** One invocation of the head of the queue. */
  async function step(current: StreamHandler): Promise<void> {
    const batch = queue.slice(0, limit);
    invocations += 1;
    let failedFrom = 0;
    try {
      const response = await current({ Records: batch });
      const reported = response?.batchItemFailures ?? [];
      if (reported.length === 0) {
        queue.splice(0, batch.length);
        headAttempts = 0;
        limit = batchSize;
        return;
      }
      const indexes = reported.map((f) =>
        batch.findIndex((r) => r.dynamodb.SequenceNumber === f.itemIdentifier),
      );
      // An identifier that is not in the batch counts as a failure of the whole batch, as on AWS.
      failedFrom = indexes.includes(-1) ? 0 : Math.min(...indexes);
    } catch {
      failedFrom = 0;
    }
    if (failedFrom > 0) {
      // The records before the lowest failure are done; the retry starts at it.
      queue.splice(0, failedFrom);
      headAttempts = 0;
    }
    const retried = batch.slice(failedFrom);
    if (bisect && retried.length > 1) {
      limit = Math.ceil(retried.length / 2);
      return;
    }
    headAttempts += 1;
    if (headAttempts >= maxAttempts) giveUp(retried);
    else await sleep(retryDelayMs);
  }

  function pump(): void {
    if (running || closed || handler === undefined || queue.length === 0) return;
    running = true;
    void (async () => {
      try {
        while (!closed && handler !== undefined && queue.length > 0) await step(handler);
      } finally {
        running = false;
      }
    })();
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const input = await readBody(req);
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1];
      let body = input;
      let callerWantsOld = true;
      let item: Image | undefined;
      if (operation === "PutItem") {
        const parsed = JSON.parse(input.toString("utf8")) as { Item?: Image; ReturnValues?: string };
        item = parsed.Item;
        callerWantsOld = parsed.ReturnValues === "ALL_OLD";
        body = Buffer.from(JSON.stringify({ ...parsed, ReturnValues: "ALL_OLD" }));
      }
      const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
      const upstream = httpRequest(target, { method: req.method, path: req.url, headers }, (reply) => {
        void readBody(reply).then((raw) => {
          let out = raw;
          if (operation === "PutItem" && reply.statusCode === 200 && item !== undefined) {
            const parsed = JSON.parse(raw.toString("utf8") || "{}") as { Attributes?: unknown };
            record(parsed.Attributes === undefined ? "INSERT" : "MODIFY", item);
            if (!callerWantsOld) {
              const { Attributes: _old, ...rest } = parsed;
              out = Buffer.from(JSON.stringify(rest));
            }
          }
          res.writeHead(reply.statusCode ?? 500, {
            ...reply.headers,
            "content-length": String(out.length),
          });
          res.end(out);
        });
      });
      upstream.on("error", () => {
        res.destroy();
      });
      upstream.end(body);
    })().catch(() => res.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    dynamo: {
      endpoint,
      tableName: options.dynamo.tableName,
      getItem: (eventId) => options.dynamo.getItem(eventId),
      close: stop,
    },
    records,
    failures,
    invocations: () => invocations,
    attach(next) {
      handler = next;
      pump();
    },
    async idle() {
      while (queue.length > 0 || running) {
        if (closed) return;
        await sleep(5);
      }
    },
    close: stop,
  };
}
