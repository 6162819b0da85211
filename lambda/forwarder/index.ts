/** The stream forwarder: stored events → EventBridge, once each, failures reported per record. */

export { FORWARDER_METRICS, FORWARDER_SERVICE } from "../../contract/metrics";
export { type ForwarderConfig, readForwarderConfig } from "./config";
export { createForwarder, type ForwardBatch, type ForwarderDeps, type MarkForwarded } from "./forward";
export {
  buildAwsForwarder,
  createForwarderHandler,
  FORWARDER_CALL_TIMEOUT_MS,
  type ForwarderEnvironment,
  type ForwarderHandler,
  handler,
} from "./handler";
export { type BatchFigures, createForwarderMetrics, type ForwarderMetrics } from "./metrics";
export type { DynamoDbStreamEvent, DynamoDbStreamRecord, StreamBatchResponse } from "./stream";
