/**
 * The stored event: the one contract between the receiver and the reconciler (which write it), the
 * forwarder (which the table's DynamoDB stream hands it to), the `reforward` command, and the components
 * (table stream, event-source-mapping filter, IAM, environment). Dependency-free, so the Lambda bundles and
 * the components import the same facts.
 *
 * Design ("store first, forward from the stream"): a delivery is answered 200 once ONE conditional PutItem
 * (`attribute_not_exists(pk)`) of the verified event has landed, or has been found already there. The table's
 * stream (NEW_IMAGE) hands every INSERT of an event item to the forwarder, which sends it to EventBridge and
 * then marks it forwarded (a MODIFY, which the mapping's filter drops, as it drops TTL removals and the
 * reconciler's watermark item).
 */

/** Attribute names of a stored event item (partition key `pk`, TTL attribute `expiresAt`). */
export const STORED_EVENT_ATTRIBUTES = Object.freeze({
  /** Partition key: the event id (`evt_…`). */
  id: "pk",
  /** Always {@link STORED_EVENT_KIND}: tells event items from the watermark item in the stream filter. */
  kind: "kind",
  /** The event type, e.g. `order.executed` (EventBridge `detail-type`). */
  type: "type",
  /** `created_at` exactly as the event carries it (EventBridge `time`). */
  createdAt: "createdAt",
  /** The verified request body, byte for byte (as UTF-8 text): EventBridge `detail`. */
  body: "body",
  /** When it was stored, epoch milliseconds. */
  receivedAtMs: "receivedAtMs",
  /** Who stored it first: {@link STORED_EVENT_VIA}. */
  via: "via",
  /** TTL, epoch seconds: the dedupe window (`LEMON_DEDUPE_TTL_SECONDS` after storing). */
  expiresAt: "expiresAt",
  /** Set by the forwarder once EventBridge accepted the event, epoch milliseconds; absent until then. */
  forwardedAtMs: "forwardedAtMs",
} as const);

/** Value of the `kind` attribute of every event item. */
export const STORED_EVENT_KIND = "event";

/** Values of the `via` attribute. */
export const STORED_EVENT_VIA = Object.freeze({ webhook: "webhook", reconciler: "reconciler" } as const);
export type StoredEventVia = (typeof STORED_EVENT_VIA)[keyof typeof STORED_EVENT_VIA];

/** The table's stream view: the forwarder needs the new item, nothing else. */
export const STREAM_VIEW_TYPE = "NEW_IMAGE";

/**
 * The event source mapping's filter (Lambda filter-pattern syntax over the stream record): only INSERTs of
 * event items reach the forwarder. TTL expiries (REMOVE), the forwarded mark (MODIFY) and the watermark item
 * cost no invocation.
 */
export const FORWARDER_FILTER_PATTERN = Object.freeze({
  eventName: ["INSERT"],
  dynamodb: { NewImage: { [STORED_EVENT_ATTRIBUTES.kind]: { S: [STORED_EVENT_KIND] } } },
});

/** Environment variable names of the forwarder Lambda (names and numbers only, never secrets). */
export const FORWARDER_ENV_NAMES = Object.freeze({
  /** Name of the EventBridge bus events are forwarded to. */
  eventBusName: "LEMON_EVENT_BUS_NAME",
  /** Name of the table whose items the forwarder marks forwarded. */
  table: "LEMON_DEDUPE_TABLE",
} as const);

/** `source` of every event put on the bus. */
export const EVENT_SOURCE = "lemon.markets";

/** Most entries one `PutEvents` call takes. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** Largest total size of one `PutEvents` call (entries counted as EventBridge counts them), bytes. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** A DynamoDB attribute value as the JSON protocol and the stream carry it (only the types we write). */
export type AttributeValue = { readonly S: string } | { readonly N: string };
/** A DynamoDB item or stream image in the JSON protocol's shape. */
export type Image = Readonly<Record<string, AttributeValue | Readonly<Record<string, unknown>>>>;

/** An event as the receiver or the reconciler stores it. */
export interface NewStoredEvent {
  readonly id: string;
  readonly type: string;
  /** `created_at` exactly as the event carries it. */
  readonly createdAt: string;
  /** The verified request body (webhook) or the API's JSON (reconciler), as UTF-8 text. */
  readonly body: string;
  readonly via: StoredEventVia;
}

/** A stored event read back from an item or a stream image. */
export interface StoredEvent extends NewStoredEvent {
  readonly receivedAtMs: number;
  readonly forwardedAtMs?: number;
}

/**
 * The item the one conditional `PutItem` writes (no `forwardedAtMs`: the forwarder adds it).
 *
 * @example
 * storedEventItem({ id: "evt_1", type: "order.executed", createdAt, body, via: "webhook" }, Date.now(), 604800);
 */
export function storedEventItem(event: NewStoredEvent, nowMs: number, ttlSeconds: number): Image {
  const a = STORED_EVENT_ATTRIBUTES;
  return {
    [a.id]: { S: event.id },
    [a.kind]: { S: STORED_EVENT_KIND },
    [a.type]: { S: event.type },
    [a.createdAt]: { S: event.createdAt },
    [a.body]: { S: event.body },
    [a.receivedAtMs]: { N: String(nowMs) },
    [a.via]: { S: event.via },
    [a.expiresAt]: { N: String(Math.floor(nowMs / 1000) + ttlSeconds) },
  };
}

function text(image: Image, name: string): string | undefined {
  const value = image[name] as { S?: unknown } | undefined;
  return typeof value?.S === "string" ? value.S : undefined;
}

function whole(image: Image, name: string): number | undefined {
  const value = image[name] as { N?: unknown } | undefined;
  const n = typeof value?.N === "string" ? Number(value.N) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The stored event in `image` (a table item or a stream record's `NewImage`), or `undefined` when it is not
 * a complete event item (the watermark item, a foreign write).
 */
export function parseStoredEvent(image: Image | undefined): StoredEvent | undefined {
  if (image === undefined) return undefined;
  const a = STORED_EVENT_ATTRIBUTES;
  if (text(image, a.kind) !== STORED_EVENT_KIND) return undefined;
  const id = text(image, a.id);
  const type = text(image, a.type);
  const createdAt = text(image, a.createdAt);
  const body = text(image, a.body);
  const via = text(image, a.via);
  const receivedAtMs = whole(image, a.receivedAtMs);
  if (id === undefined || type === undefined || createdAt === undefined || body === undefined)
    return undefined;
  if (receivedAtMs === undefined || (via !== STORED_EVENT_VIA.webhook && via !== STORED_EVENT_VIA.reconciler))
    return undefined;
  const forwardedAtMs = whole(image, a.forwardedAtMs);
  return {
    id,
    type,
    createdAt,
    body,
    via,
    receivedAtMs,
    ...(forwardedAtMs === undefined ? {} : { forwardedAtMs }),
  };
}

/**
 * The size EventBridge counts for one `PutEvents` entry of `event` (UTF-8 bytes of Source, DetailType and
 * Detail, plus 14 for Time), so a call is split before it passes {@link PUT_EVENTS_MAX_BYTES}.
 */
export function putEventsEntrySize(event: Pick<NewStoredEvent, "type" | "body">): number {
  return (
    Buffer.byteLength(EVENT_SOURCE, "utf8") +
    Buffer.byteLength(event.type, "utf8") +
    Buffer.byteLength(event.body, "utf8") +
    14
  );
}
