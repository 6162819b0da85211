/**
 * Publishing stored events with `PutEvents`, the contract consumers rely on: `Source: lemon.markets`,
 * `DetailType` = the event type, `Detail` = exactly the stored body, `Time` = `created_at`. Events are split
 * into calls of at most {@link PUT_EVENTS_MAX_ENTRIES} entries and {@link PUT_EVENTS_MAX_BYTES}; every
 * entry's result is checked (`PutEvents` answers 200 even when entries fail).
 */
import type { EventPublisher } from "../core/ports";
import {
  EVENT_SOURCE,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  putEventsEntrySize,
  type StoredEvent,
} from "../../contract/events-table";
import type { AwsJsonClient } from "./json-client";

export { EVENT_SOURCE };

interface PutEventsOutput {
  readonly FailedEntryCount?: number;
  readonly Entries?: ReadonlyArray<{ readonly EventId?: string; readonly ErrorCode?: string }>;
}

/** A failed call or entry, for the caller's log line. */
export interface PublishFailure {
  readonly eventId: string;
  /** The entry's `ErrorCode`, or the call's error code when the whole call failed. */
  readonly code: string;
}

/**
 * Splits `events` (kept in order) into `PutEvents` calls: at most 10 entries and 256 KB per call. An event
 * too large for any call gets a call of its own (EventBridge then rejects that entry alone).
 */
export function putEventsChunks<T extends Pick<StoredEvent, "type" | "body">>(events: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = putEventsEntrySize(event);
    if (
      current.length > 0 &&
      (current.length >= PUT_EVENTS_MAX_ENTRIES || bytes + size > PUT_EVENTS_MAX_BYTES)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** {@link EventPublisher} on an EventBridge bus. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly eventBusName: string,
    /** Told about every event not accepted (call failure or entry failure). */
    private readonly onFailure: (failure: PublishFailure) => void = () => undefined,
  ) {}

  async publish(events: readonly StoredEvent[]): Promise<readonly boolean[]> {
    const accepted: boolean[] = [];
    for (const chunk of putEventsChunks(events)) accepted.push(...(await this.publishChunk(chunk)));
    return accepted;
  }

  private async publishChunk(chunk: readonly StoredEvent[]): Promise<boolean[]> {
    let output: PutEventsOutput;
    try {
      const result = await this.client.call<PutEventsOutput>("PutEvents", {
        Entries: chunk.map((event) => ({
          EventBusName: this.eventBusName,
          Source: EVENT_SOURCE,
          DetailType: event.type,
          Detail: event.body,
          // JSON-protocol timestamps are epoch seconds.
          Time: Date.parse(event.createdAt) / 1000,
        })),
      });
      // No expected error types were named, so a resolved call is a 2xx.
      output = result.ok ? result.value : {};
    } catch (error) {
      const code =
        typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "error";
      for (const event of chunk) this.onFailure({ eventId: event.id, code });
      return chunk.map(() => false);
    }
    // Entries answer in request order; an entry without EventId or with an ErrorCode was not accepted.
    return chunk.map((event, index) => {
      const entry = output.Entries?.[index];
      const ok = entry?.EventId !== undefined && entry.ErrorCode === undefined;
      if (!ok) this.onFailure({ eventId: event.id, code: entry?.ErrorCode ?? "FailedEntry" });
      return ok;
    });
  }
}
