/**
 * What the emulated lemon.markets knows: registered webhooks and every event it emitted. Each gets a
 * sequence number in creation order, which is what cursors point at.
 */
import { isPublishedEventType, type PublishedEventType } from "../components/lemon-api/event-types";
import { formatMicros, MicrosecondClock } from "./clock";
import { newId, newSignatureSecret } from "./ids";
import type { LemonEvent, Webhook } from "./types";

export interface Sequenced<T> {
  readonly seq: number;
  readonly value: T;
}

export interface StoredEvent extends Sequenced<LemonEvent> {
  /** `created_at` as epoch microseconds, for exact `since` filtering. */
  readonly micros: number;
}

export class EmulatorState {
  private nextSeq = 1;
  private readonly clock = new MicrosecondClock();
  private readonly registered = new Map<string, Sequenced<Webhook>>();
  private readonly emitted: StoredEvent[] = [];

  addWebhook(url: string, events: readonly PublishedEventType[]): Webhook {
    const webhook: Webhook = Object.freeze({
      id: newId("wbh_"),
      url,
      events: Object.freeze([...events]),
      signature_secret: newSignatureSecret(),
    });
    this.registered.set(webhook.id, { seq: this.nextSeq++, value: webhook });
    return webhook;
  }

  /** False when no webhook has this id. */
  deleteWebhook(id: string): boolean {
    return this.registered.delete(id);
  }

  isRegistered(id: string): boolean {
    return this.registered.has(id);
  }

  /** Webhooks in registration order (Map iteration order is insertion order). */
  webhookEntries(): Sequenced<Webhook>[] {
    return [...this.registered.values()];
  }

  /** Webhooks subscribed to `type` right now. */
  subscribers(type: PublishedEventType): Webhook[] {
    return this.webhookEntries()
      .map((entry) => entry.value)
      .filter((webhook) => webhook.events.includes(type));
  }

  /** Records a new event; throws a TypeError naming the field for an unknown type or a bad context. */
  recordEvent(type: string, context: Record<string, string>): LemonEvent {
    if (!isPublishedEventType(type)) {
      throw new TypeError(
        `type must be a published lemon.markets event type such as "account.created" (got ${JSON.stringify(type)})`,
      );
    }
    if (
      typeof context !== "object" ||
      context === null ||
      Array.isArray(context) ||
      !Object.values(context).every((value) => typeof value === "string")
    ) {
      throw new TypeError('context must be an object of string identifiers, e.g. {"account": "cusa_…"}');
    }
    const micros = this.clock.nextMicros();
    const event: LemonEvent = Object.freeze({
      id: newId("evt_"),
      type,
      created_at: formatMicros(micros),
      context: Object.freeze({ ...context }),
    });
    this.emitted.push({ seq: this.nextSeq++, value: event, micros });
    return event;
  }

  eventEntries(): readonly StoredEvent[] {
    return this.emitted;
  }
}
