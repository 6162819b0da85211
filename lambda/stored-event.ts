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
