/** Forwarding to EventBridge with `PutEvents`: source `lemon.markets`, detail-type = event type. */
import type { Deadline } from "../deadline";
import { DependencyUnavailableError } from "../errors";
import type { EventSink, ForwardableEvent } from "../ports";
import type { AwsJsonClient } from "./json-client";

/** `source` of every forwarded event; consumers' rules match on it. */
export const EVENT_SOURCE = "lemon.markets";

interface PutEventsOutput {
  readonly FailedEntryCount?: number;
  readonly Entries?: ReadonlyArray<{ readonly EventId?: string; readonly ErrorCode?: string }>;
}

/** {@link EventSink} on an EventBridge bus. */
export class EventBridgeEventSink implements EventSink {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly eventBusName: string,
  ) {}

  async forward(event: ForwardableEvent, deadline?: Deadline): Promise<void> {
    const result = await this.client.call<PutEventsOutput>(
      "PutEvents",
      {
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: event.json,
            // JSON-protocol timestamps are epoch seconds.
            Time: Date.parse(event.createdAt) / 1000,
          },
        ],
      },
      [],
      deadline,
    );
    if (!result.ok) throw new DependencyUnavailableError("eventbridge", result.errorType);
    // PutEvents answers 200 even when entries fail; only FailedEntryCount and the entry say so.
    const entry = result.value.Entries?.[0];
    if (
      (result.value.FailedEntryCount ?? 0) > 0 ||
      entry?.ErrorCode !== undefined ||
      entry?.EventId === undefined
    ) {
      throw new DependencyUnavailableError("eventbridge", entry?.ErrorCode ?? "FailedEntry");
    }
  }
}
