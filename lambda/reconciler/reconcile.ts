/**
 * One reconciliation run: read `GET /v1/events` from the watermark (minus an overlap) oldest first, STORE
 * every subscribed event the table does not have with the receiver's own conditional `PutItem`
 * (`via: "reconciler"`), and move the watermark forward. Nothing is forwarded here: the table's stream hands
 * every newly stored event to the forwarder, exactly as it does for a webhook delivery, so an event stored by
 * both at the same moment is stored (and forwarded) once.
 *
 * Why one query for all types, filtered here, rather than one query per type (`type` takes ONE value): a
 * receiver subscribed to n types would make n paged queries every run and need n watermarks; one query
 * reads each event once and keeps one watermark. With exactly one subscribed type, the server filters.
 *
 * The window of a run is `[since, until]`:
 * - `until = start − settle`: events younger than that are left to their webhook delivery (a later run
 *   picks them up if it never comes), so normal traffic never counts as "recovered";
 * - `since = watermark − overlap` (first run: `start − initialLookback`), but never earlier than
 *   `start − (dedupeTtl − margin)`: an older event's item may have expired, and re-reading it would store
 *   (and forward) it a second time. Clamping skips that part of the window (logged, `WatermarkGapSeconds`, alarmed).
 *
 * The watermark rules (each keeps an event from being skipped):
 * - an API error (after retries) ends the run without moving it: the next run reads the same window;
 * - it never passes an event whose store could not be settled (a write failing or without an answer after
 *   the retries: the next run repeats it, and the condition makes the repeat safe);
 * - when every page was read it moves to at least `until − overlap` (bounding the window re-read by later
 *   runs), otherwise (deadline) only to the newest event processed; never past `until`;
 * - it is written conditionally, so overlapping runs only ever move it forward.
 *
 * DynamoDB calls are retried on throttling, 5xx and lost answers (`./retry.ts`) before a run gives up. A
 * retried write that had landed meets its own item and counts as already stored, not recovered.
 */

import type { StoredLookup } from "../aws/stored-lookup";
import { parseEnvelope } from "../../contract/event";
import { DependencyUnavailableError, EnvelopeError } from "../core/errors";
import type { Clock, EventStore, Logger } from "../core/ports";
import { type NewStoredEvent, STORED_EVENT_VIA } from "../../contract/events-table";
import { EventsApiError } from "./errors";
import type { EventsApi } from "./events-api";
import { retryingPorts } from "./retry";
import type { WatermarkStore } from "./watermark";

/**
 * Kept between the oldest event a run re-reads and the dedupe TTL: covers the run itself (a Lambda runs at
 * most 15 minutes) and clock skew between lemon.markets' `created_at` and AWS. The TTL is at least 1 hour.
 */
export const DEDUPE_TTL_MARGIN_SECONDS = 1_800;

/** Everything a run talks to. */
export interface ReconcileDeps {
  readonly api: EventsApi;
  readonly watermarks: WatermarkStore;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Optional pre-check of a page's ids against the table (one batch read instead of a conditional write per
   * already-stored event). Without it every subscribed event goes through the conditional write.
   */
  readonly lookup?: StoredLookup;
  /** Waits between retries of AWS calls. Default `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What a run reads. */
export interface ReconcileSettings {
  /** Event types the webhook is registered for; other events are read but not stored. */
  readonly eventTypes: readonly string[];
  readonly overlapSeconds: number;
  /** How far back the first run (no watermark yet) reads. */
  readonly initialLookbackSeconds: number;
  /** Only events created at least this long before the run started are processed. */
  readonly settleSeconds: number;
  /** The receiver's dedupe TTL: no run reads further back than it minus {@link DEDUPE_TTL_MARGIN_SECONDS}. */
  readonly dedupeTtlSeconds: number;
  /** Epoch ms after which no further page is read (the Lambda's time budget); the processed prefix counts. */
  readonly deadlineMs?: number;
}

/** `complete`: every page read; `partial`: stopped at the deadline; `failed`: see `error`. */
export type RunOutcome = "complete" | "partial" | "failed";

/** What a run did; the source of its log line and metrics. */
export interface ReconcileReport {
  readonly outcome: RunOutcome;
  /** The `since` sent to the API (ISO 8601). Empty when the watermark could not be read. */
  readonly since: string;
  /** Events created after this (ISO 8601: start − settle) were left for a later run. */
  readonly until: string;
  /**
   * How much of the intended window was skipped because it reached back further than the dedupe TTL
   * allows (seconds; 0 normally). Events in the skipped part were not reconciled.
   */
  readonly watermarkGapSeconds: number;
  /** Events read from the API and processed (those after `until` are not counted). */
  readonly scanned: number;
  /** Events this run's conditional write stored new: deliveries the webhook path had missed. */
  readonly recovered: number;
  /** Events the table already had (stored by the webhook, or by an earlier run). */
  readonly alreadyStored: number;
  /** Events of types the webhook is not registered for. */
  readonly ignored: number;
  /** Events that are not a valid envelope (logged, never stored). */
  readonly invalid: number;
  /** Newest `created_at` read (epoch ms), for the lag metric. */
  readonly newestEventMs: number | undefined;
  readonly previousWatermarkMs: number | undefined;
  /** The watermark after the run (the stored one when it did not move). */
  readonly watermarkMs: number | undefined;
  readonly watermarkMoved: boolean;
  /** Why the run failed: an error name and a secret-free detail. */
  readonly error?: { readonly name: string; readonly detail: string };
}

interface Tally {
  scanned: number;
  recovered: number;
  alreadyStored: number;
  ignored: number;
  invalid: number;
  newestMs: number | undefined;
  /** `created_at` of the earliest event whose store was not settled. */
  earliestUnfinishedMs: number | undefined;
}

/** A failure that ends the run; the watermark may still move up to the events before it. */
class StopRun extends Error {
  constructor(readonly detail: { readonly name: string; readonly detail: string }) {
    super(detail.detail);
  }
}

function describeError(error: unknown): { name: string; detail: string } {
  if (error instanceof EventsApiError) return { name: error.name, detail: error.message };
  if (error instanceof DependencyUnavailableError) return { name: error.name, detail: error.message };
  return { name: error instanceof Error ? error.name : "Error", detail: "unexpected error" };
}

const min = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
const max = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));

/**
 * Runs one reconciliation. Never throws: every failure is a `failed` report (the handler turns it into a
 * failed invocation, which the error alarm counts).
 *
 * @example
 * const report = await reconcile(deps, {
 *   eventTypes: ["order.executed"], overlapSeconds: 600, initialLookbackSeconds: 1500,
 *   settleSeconds: 300, dedupeTtlSeconds: 604800,
 * });
 * if (report.recovered > 0) console.warn(`${report.recovered} events had been missed by the webhook`);
 */
export async function reconcile(deps: ReconcileDeps, settings: ReconcileSettings): Promise<ReconcileReport> {
  const { clock, logger } = deps;
  const startedMs = clock.now();
  const overlapMs = settings.overlapSeconds * 1000;
  const untilMs = startedMs - settings.settleSeconds * 1000;
  const until = new Date(untilMs).toISOString();
  const subscribed = new Set(settings.eventTypes);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const ports = retryingPorts(deps, { sleep, now: () => clock.now(), deadlineMs: settings.deadlineMs });
  const tally: Tally = {
    scanned: 0,
    recovered: 0,
    alreadyStored: 0,
    ignored: 0,
    invalid: 0,
    newestMs: undefined,
    earliestUnfinishedMs: undefined,
  };
  let gapSeconds = 0;
  const report = (
    outcome: RunOutcome,
    since: string,
    previous: number | undefined,
    watermark: { readonly value: number | undefined; readonly moved: boolean },
    error?: { name: string; detail: string },
  ): ReconcileReport => ({
    outcome,
    since,
    until,
    watermarkGapSeconds: gapSeconds,
    scanned: tally.scanned,
    recovered: tally.recovered,
    alreadyStored: tally.alreadyStored,
    ignored: tally.ignored,
    invalid: tally.invalid,
    newestEventMs: tally.newestMs,
    previousWatermarkMs: previous,
    watermarkMs: watermark.value,
    watermarkMoved: watermark.moved,
    ...(error === undefined ? {} : { error }),
  });

  let previous: number | undefined;
  try {
    previous = await ports.watermarks.read();
  } catch (error) {
    return report("failed", "", undefined, { value: undefined, moved: false }, describeError(error));
  }
  const intendedMs =
    previous === undefined ? startedMs - settings.initialLookbackSeconds * 1000 : previous - overlapMs;
  const oldestSafeMs = startedMs - (settings.dedupeTtlSeconds - DEDUPE_TTL_MARGIN_SECONDS) * 1000;
  const sinceMs = Math.max(intendedMs, oldestSafeMs);
  const since = new Date(sinceMs).toISOString();
  if (sinceMs > intendedMs) {
    gapSeconds = Math.ceil((sinceMs - intendedMs) / 1000);
    logger.warn({
      msg: "reconcile_watermark_gap",
      gapSeconds,
      skippedFrom: new Date(intendedMs).toISOString(),
      skippedTo: since,
      why: "the window reached back further than the dedupe TTL allows; events in the skipped part are not reconciled",
    });
  }
  const [onlyType] = settings.eventTypes;
  const query =
    settings.eventTypes.length === 1 && onlyType !== undefined ? { since, type: onlyType } : { since };
  /** Set once an event after `until` was seen: the API sorts oldest first, so the rest is newer still. */
  let reachedUntil = false;

  /** The page's valid, subscribed events up to `until` (counting the rest), oldest first. */
  function select(page: readonly unknown[]): { event: NewStoredEvent; createdMs: number }[] {
    const selected: { event: NewStoredEvent; createdMs: number }[] = [];
    for (const raw of page) {
      const json = JSON.stringify(raw);
      let envelope: ReturnType<typeof parseEnvelope>;
      try {
        envelope = parseEnvelope(json);
      } catch (error) {
        tally.scanned += 1;
        tally.invalid += 1;
        const reason = error instanceof EnvelopeError ? error.reason : "unparseable";
        logger.error({ msg: "reconcile_invalid_event", reason });
        continue;
      }
      const createdMs = Date.parse(envelope.created_at);
      if (createdMs > untilMs) {
        reachedUntil = true;
        break;
      }
      tally.scanned += 1;
      tally.newestMs = max(tally.newestMs, createdMs);
      if (!subscribed.has(envelope.type)) {
        tally.ignored += 1;
        continue;
      }
      // The API's JSON, re-serialised: the same JSON content a webhook delivery carries (not necessarily the
      // same bytes: key order and spacing are the API's), with the same source and detail-type.
      const event: NewStoredEvent = {
        id: envelope.id,
        type: envelope.type,
        createdAt: envelope.created_at,
        body: json,
        via: STORED_EVENT_VIA.reconciler,
      };
      selected.push({ event, createdMs });
    }
    return selected;
  }

  async function handle(event: NewStoredEvent, createdMs: number): Promise<void> {
    try {
      const outcome = await ports.store.store(event, clock.now());
      if (outcome === "duplicate") {
        tally.alreadyStored += 1;
        return;
      }
      tally.recovered += 1;
      logger.warn({
        msg: "reconcile_recovered",
        eventId: event.id,
        eventType: event.type,
        createdAt: event.createdAt,
      });
    } catch (error) {
      // DynamoDB is still failing (or still not answering) after the retries: every further event would
      // fail the same way. The watermark stops before this event, so the next run repeats its write.
      tally.earliestUnfinishedMs = min(tally.earliestUnfinishedMs, createdMs);
      throw new StopRun(describeError(error));
    }
  }

  async function handlePage(page: readonly unknown[]): Promise<void> {
    const selected = select(page);
    if (selected.length === 0) return;
    let stored: ReadonlyMap<string, unknown> = new Map();
    try {
      stored =
        ports.lookup === undefined ? stored : await ports.lookup.states(selected.map((s) => s.event.id));
    } catch (error) {
      tally.earliestUnfinishedMs = min(tally.earliestUnfinishedMs, selected[0]!.createdMs);
      throw new StopRun(describeError(error));
    }
    for (const { event, createdMs } of selected) {
      if (stored.has(event.id)) tally.alreadyStored += 1;
      else await handle(event, createdMs);
    }
  }

  let outcome: RunOutcome = "complete";
  let failure: { name: string; detail: string } | undefined;
  try {
    for await (const page of deps.api.pages(query, { deadlineMs: settings.deadlineMs })) {
      await handlePage(page);
      if (reachedUntil) break;
      if (settings.deadlineMs !== undefined && clock.now() >= settings.deadlineMs) {
        outcome = "partial";
        break;
      }
    }
  } catch (error) {
    if (error instanceof EventsApiError && error.kind === "deadline") {
      // Out of time: keep what was processed, the next run continues. Out of time while retrying a failing
      // API is still a failure (the error alarm must see an API that stays down), just one that keeps progress.
      outcome = error.attempts === 0 ? "partial" : "failed";
      failure = error.attempts === 0 ? undefined : describeError(error);
    } else if (error instanceof StopRun) {
      outcome = "failed";
      failure = error.detail;
    } else {
      // The API failed (or something unexpected): leave the watermark alone, the next run re-reads the window.
      return report("failed", since, previous, { value: previous, moved: false }, describeError(error));
    }
  }

  // Every processed event is at or before `until`, so neither candidate passes it.
  let target = tally.newestMs ?? previous;
  if (outcome === "complete") target = max(target, untilMs - overlapMs);
  if (tally.earliestUnfinishedMs !== undefined && target !== undefined) {
    target = Math.min(target, tally.earliestUnfinishedMs);
  }
  if (target === undefined || (previous !== undefined && target <= previous)) {
    return report(outcome, since, previous, { value: previous, moved: false }, failure);
  }
  try {
    const moved = await ports.watermarks.advance(target, clock.now());
    // Not moved: an overlapping run stored a later one; it stands.
    const stored = moved ? target : await ports.watermarks.read();
    return report(outcome, since, previous, { value: stored, moved }, failure);
  } catch (error) {
    return report(
      "failed",
      since,
      previous,
      { value: previous, moved: false },
      failure ?? describeError(error),
    );
  }
}
