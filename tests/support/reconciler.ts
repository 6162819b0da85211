/** In-memory stand-ins for the reconciler's own ports, plus an event factory. Deterministic, recording calls. */

import type { StoredLookup, StoredState } from "../../lambda/aws/stored-lookup";
import { DependencyUnavailableError } from "../../lambda/core/errors";
import { EventsApiError } from "../../lambda/reconciler/errors";
import type { EventsApi, EventsQuery, PagingLimits } from "../../lambda/reconciler/events-api";
import type { ReconcileDeps } from "../../lambda/reconciler/reconcile";
import type { WatermarkStore } from "../../lambda/reconciler/watermark";
import { ManualClock, MemoryEventStore } from "./ports";

/** An event as `GET /v1/events` returns it. */
export interface ApiEvent {
  readonly id: string;
  readonly type: string;
  readonly created_at: string;
  readonly context: Readonly<Record<string, string>>;
}

export const T0 = Date.parse("2026-07-20T10:00:00.000Z");

/** Event number `n` of `type`, created `offsetMs` after T0 (microseconds as lemon.markets writes them). */
export function apiEvent(n: number, type: string, offsetMs: number): ApiEvent {
  const iso = new Date(T0 + offsetMs).toISOString().replace("Z", "123+00:00");
  return { id: `evt_${String(n).padStart(6, "0")}`, type, created_at: iso, context: { account: "cusa_1" } };
}

/** Serves a fixed event list like the API: `since` inclusive, oldest first, pages of `pageSize`. */
export class ArrayEventsApi implements EventsApi {
  readonly queries: EventsQuery[] = [];
  /** The limits each paging was given. */
  readonly limits: PagingLimits[] = [];
  /** Throw {@link failure} after this many pages were served (undefined: never). */
  failAfterPages: number | undefined;
  /** What is thrown after {@link failAfterPages}: by default the API failing with 503 after its retries. */
  failure = new EventsApiError("http", 503, 5, "HTTP 503");
  constructor(
    public events: ApiEvent[],
    private readonly pageSize = 100,
  ) {}
  async *pages(query: EventsQuery, limits: PagingLimits = {}): AsyncIterable<readonly unknown[]> {
    this.queries.push(query);
    this.limits.push(limits);
    const sinceMs = Date.parse(query.since);
    const selected = this.events
      .filter(
        (e) => Date.parse(e.created_at) >= sinceMs && (query.type === undefined || e.type === query.type),
      )
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    for (let i = 0, served = 0; i < selected.length || i === 0; i += this.pageSize, served += 1) {
      if (this.failAfterPages !== undefined && served >= this.failAfterPages) {
        throw this.failure;
      }
      yield selected.slice(i, i + this.pageSize);
    }
  }
}

/** A watermark in memory with the DynamoDB store's "only forward" condition. */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly writes: number[] = [];
  failReads = false;
  constructor(public value: number | undefined = undefined) {}
  async read(): Promise<number | undefined> {
    if (this.failReads) throw new EventsApiError("network", undefined, 1, "unused");
    return this.value;
  }
  async advance(watermarkMs: number): Promise<boolean> {
    this.writes.push(watermarkMs);
    if (this.value !== undefined && this.value >= watermarkMs) return false;
    this.value = watermarkMs;
    return true;
  }
}

/** Reads the stored ids of a {@link MemoryEventStore}; records the batches it was asked about. */
export class MemoryStoredLookup implements StoredLookup {
  readonly batches: string[][] = [];
  failing = false;
  constructor(private readonly store: MemoryEventStore) {}
  async states(ids: readonly string[]): Promise<ReadonlyMap<string, StoredState>> {
    this.batches.push([...ids]);
    if (this.failing) throw new DependencyUnavailableError("dynamodb", "InternalServerError");
    return new Map(ids.filter((id) => this.store.items.has(id)).map((id) => [id, { forwarded: false }]));
  }
}

/** The full set of in-memory deps around `api`, with captured log lines and retry waits (not slept). */
export function memoryDeps(api: EventsApi, watermarks = new MemoryWatermarkStore()) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const clock = new ManualClock(T0);
  const store = new MemoryEventStore();
  const logger = {
    info: (r: object) => lines.push(JSON.stringify({ level: "info", ...r })),
    warn: (r: object) => lines.push(JSON.stringify({ level: "warn", ...r })),
    error: (r: object) => lines.push(JSON.stringify({ level: "error", ...r })),
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  const deps: ReconcileDeps = { api, watermarks, store, clock, logger, sleep };
  return { deps, lines, sleeps, clock, store, watermarks };
}

/** Ids the reconciler stored (via `reconciler`), in the order it stored them. */
export function reconciled(store: MemoryEventStore): string[] {
  return [...store.items.values()].filter((e) => e.via === "reconciler").map((e) => e.id);
}

/** The item a webhook delivery left for `id` (stored before the run). */
export function storedByWebhook(store: MemoryEventStore, id: string): void {
  store.items.set(id, {
    id,
    type: "order.executed",
    createdAt: "2026-07-20T09:00:00+00:00",
    body: "{}",
    via: "webhook",
    receivedAtMs: T0,
  });
}
