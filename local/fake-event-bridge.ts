/**
 * A local EventBridge for `PutEvents` that records accepted entries, with fault injection: whole-call
 * failure (500), throttling (400 ThrottlingException) and partial failure (200 with `FailedEntryCount` and a
 * per-entry `ErrorCode`, which is how EventBridge reports most failures). Point the receiver at it with
 * `AWS_ENDPOINT_URL_EVENTBRIDGE=<endpoint>`. With `archives` and `rules` it also archives, matches rules
 * and replays (DescribeArchive, StartReplay, DescribeReplay, CancelReplay): see fake-event-bridge-replay.ts.
 */

import { randomUUID } from "node:crypto";
import { AWS_JSON_PROTOCOLS } from "../lambda/aws/json-client";
import { awsError, FaultPlan, type JsonReply, type RandomFaults, startJsonServer } from "./aws-json-server";
import {
  createReplaySupport,
  type FakeArchiveSpec,
  type FakeRuleSpec,
  type ReplayControls,
} from "./fake-event-bridge-replay";

/** How a faulty call fails. */
export type EventBridgeFault = "unavailable" | "throttle" | "partial";

/** An entry EventBridge accepted. */
export interface RecordedEntry {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** The Detail string exactly as sent. */
  readonly detail: string;
  /** `Time` as sent (epoch seconds), if any. */
  readonly time: number | undefined;
  /** Set on an event a replay put on the bus again (AWS's `replay-name`). */
  readonly replayName?: string;
}

/** A running fake EventBridge. */
export interface FakeEventBridge {
  readonly endpoint: string;
  /** Accepted entries in arrival order. */
  readonly entries: readonly RecordedEntry[];
  /** Number of `PutEvents` calls, faulted ones included. */
  readonly putEventsCalls: number;
  failNext(count: number, fault?: EventBridgeFault): void;
  failFor(durationMs: number, fault?: EventBridgeFault): void;
  /** A seeded share of calls fails with kinds picked from `kinds`, until {@link clearFaults}. */
  failRandomly(options: RandomFaults<EventBridgeFault>): void;
  /** Faulted calls so far, per kind. */
  injectedFaults(): Readonly<Partial<Record<EventBridgeFault, number>>>;
  clearFaults(): void;
  /** Resolves with the entries once at least `count` were accepted; rejects after `timeoutMs`. */
  waitForEntries(count: number, timeoutMs?: number): Promise<readonly RecordedEntry[]>;
  /** Rule deliveries and replays (see the `archives` and `rules` options). */
  readonly replay: ReplayControls;
  close(): Promise<void>;
}

const MAX_ENTRIES = 10;

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Starts the fake on 127.0.0.1.
 *
 * @example
 * const eb = await startFakeEventBridge();
 * eb.failNext(1, "partial");
 * await eb.close();
 */
export async function startFakeEventBridge(
  options: {
    readonly port?: number;
    /** Archives of the fake's buses; default none. */
    readonly archives?: readonly FakeArchiveSpec[];
    /** Rules of the fake's buses; default none. */
    readonly rules?: readonly FakeRuleSpec[];
    /** RUNNING `DescribeReplay` calls of a replay before it completes; default 2. */
    readonly replayRunningSteps?: number;
    /** Clock (epoch ms) for event times without `Time`, retention and replay times; default Date.now. */
    readonly now?: () => number;
  } = {},
): Promise<FakeEventBridge> {
  const entries: RecordedEntry[] = [];
  const now = options.now ?? Date.now;
  const replay = createReplaySupport({
    archives: options.archives ?? [],
    rules: options.rules ?? [],
    runningSteps: options.replayRunningSteps ?? 2,
    now,
    redeliver: (event, replayName) => {
      const eventId = randomUUID();
      entries.push({
        eventId,
        eventBusName: event.eventBusName,
        source: event.source,
        detailType: event.detailType,
        detail: event.detail,
        time: event.timeMs / 1000,
        replayName,
      });
      return eventId;
    },
  });
  const faults = new FaultPlan<EventBridgeFault>();
  let calls = 0;
  const waiters: Array<() => void> = [];

  const putEvents = (input: Record<string, unknown>): JsonReply => {
    calls += 1;
    const list = input.Entries;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ENTRIES) {
      return awsError(400, "ValidationException", `Entries must hold 1 to ${MAX_ENTRIES} entries`);
    }
    const fault = faults.take();
    if (fault === "unavailable") return awsError(500, "InternalException", "injected failure");
    if (fault === "throttle") return awsError(400, "ThrottlingException", "Rate exceeded");
    const results = list.map((raw: unknown) => {
      const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
      if (fault === "partial")
        return { ErrorCode: "InternalFailure", ErrorMessage: "injected entry failure" };
      const { Source, DetailType, Detail, EventBusName, Time } = entry;
      if (typeof Source !== "string" || typeof DetailType !== "string" || typeof Detail !== "string") {
        return { ErrorCode: "InvalidArgument", ErrorMessage: "Source, DetailType and Detail are required" };
      }
      if (!isJsonObject(Detail))
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
      const eventId = randomUUID();
      entries.push({
        eventId,
        eventBusName: typeof EventBusName === "string" ? EventBusName : "default",
        source: Source,
        detailType: DetailType,
        detail: Detail,
        time: typeof Time === "number" ? Time : undefined,
      });
      replay.onEvent({
        eventId,
        eventBusName: typeof EventBusName === "string" ? EventBusName : "default",
        source: Source,
        detailType: DetailType,
        detail: Detail,
        // EventBridge keeps an event's time to the second (its `time` has no fraction).
        timeMs: Math.floor((typeof Time === "number" ? Time * 1000 : now()) / 1000) * 1000,
      });
      return { EventId: eventId };
    });
    for (const wake of waiters.splice(0)) wake();
    return {
      status: 200,
      body: { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results },
    };
  };

  const running = await startJsonServer({
    ...AWS_JSON_PROTOCOLS.eventbridge,
    operations: { PutEvents: putEvents, ...replay.operations },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  const waitForEntries = (count: number, timeoutMs = 5_000): Promise<readonly RecordedEntry[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`expected ${count} EventBridge entries, got ${entries.length} after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const check = () => {
        if (entries.length >= count) {
          clearTimeout(timer);
          resolve([...entries]);
        } else waiters.push(check);
      };
      check();
    });

  return {
    endpoint: running.endpoint,
    entries,
    get putEventsCalls() {
      return calls;
    },
    failNext: (count, fault = "unavailable") => faults.failNext(count, fault),
    failFor: (durationMs, fault = "unavailable") => faults.failFor(durationMs, fault),
    failRandomly: (random) => faults.failRandomly(random),
    injectedFaults: () => faults.injected(),
    clearFaults: () => faults.clear(),
    waitForEntries,
    replay: replay.controls,
    close: running.close,
  };
}
