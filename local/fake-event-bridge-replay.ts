/**
 * Archives, rules and replays for the local EventBridge ({@link startFakeEventBridge}): `DescribeArchive`,
 * `StartReplay`, `DescribeReplay` and `CancelReplay`, as the AWS JSON protocol has them (timestamps are epoch
 * seconds).
 *
 * What it models, after the EventBridge API reference:
 * - An archive collects every event put on its source bus that matches its pattern, replayed events
 *   excepted ("Replayed events are not sent to an archive").
 * - A replay selects archived events by the time IN the event (`Time` as sent, else the arrival time, cut
 *   to the whole second as EventBridge keeps it), with `EventStartTime` ≤ time < `EventEndTime`, and puts them on the destination bus again, marked with the
 *   replay's name (`replay-name` in the event), where only the rules in `FilterArns` (all rules of the bus
 *   when absent) see them.
 * - `StartReplay` refuses what AWS refuses (ValidationException): an end not after the start, an end in the
 *   future, a start older than the archive's retention, a destination other than the archive's source bus;
 *   ResourceNotFoundException for an unknown archive, ResourceAlreadyExistsException for a reused name.
 * - Progress is deterministic, driven by `DescribeReplay` calls, never by the wall clock: STARTING on the
 *   first call, then `runningSteps` RUNNING calls, each replaying the next slice of the window
 *   (`EventLastReplayedTime` = the slice's end), then COMPLETED. {@link ReplayControls.failNextReplay} makes
 *   the next replay end FAILED after its first slice; `CancelReplay` makes it CANCELLING, then CANCELLED.
 */
import { awsError, type JsonReply, type OperationHandler } from "./aws-json-server";

/** An archive of the fake. */
export interface FakeArchiveSpec {
  readonly name: string;
  /** ARN of the bus it archives, e.g. `arn:aws:events:eu-central-1:123456789012:event-bus/lemon-bus`. */
  readonly eventSourceArn: string;
  /** Days events are kept; 0 = indefinitely (AWS's meaning). */
  readonly retentionDays: number;
  /** When the archive was created, epoch ms. */
  readonly creationTimeMs: number;
  /** Event pattern JSON (only `source` and `detail-type` lists are understood); absent: everything. */
  readonly eventPattern?: string;
}

/** A rule on a bus of the fake (targets are not modelled: a matching event is recorded as a delivery). */
export interface FakeRuleSpec {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  /** Event pattern JSON (only `source` and `detail-type` lists are understood). */
  readonly eventPattern: string;
}

/** An event a rule matched. */
export interface RuleDelivery {
  readonly ruleArn: string;
  readonly eventId: string;
  readonly detailType: string;
  readonly detail: string;
  /** The replay that re-delivered it; absent for an event put with `PutEvents`. */
  readonly replayName?: string;
}

/** What the bus hands to this module for each accepted event. */
export interface BusEvent {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  /** The time in the event, epoch ms of a whole second (`Time` as sent, else arrival, cut to the second). */
  readonly timeMs: number;
}

/** Replay state names, as AWS has them. */
export type ReplayState = "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";

/** Test controls of the replay side of the fake. */
export interface ReplayControls {
  /** Events a rule matched, PutEvents and replays, in order. */
  readonly deliveries: readonly RuleDelivery[];
  /** Names of the replays started, in order. */
  readonly replayNames: readonly string[];
  /** The next replay started ends FAILED with `reason` after its first slice. */
  failNextReplay(reason: string): void;
}

interface Replay {
  readonly name: string;
  readonly archive: FakeArchiveSpec & { readonly arn: string };
  readonly startMs: number;
  readonly endMs: number;
  readonly destinationArn: string;
  readonly filterArns: readonly string[] | undefined;
  readonly startedMs: number;
  readonly failReason: string | undefined;
  state: ReplayState;
  step: number;
  lastReplayedMs: number | undefined;
  endedMs: number | undefined;
  reason: string | undefined;
}

const DAY_MS = 86_400_000;
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

function patternMatches(pattern: string | undefined, source: string, detailType: string): boolean {
  if (pattern === undefined) return true;
  const parsed = JSON.parse(pattern) as Record<string, unknown>;
  const allows = (field: unknown, value: string) => !Array.isArray(field) || field.includes(value);
  return allows(parsed.source, source) && allows(parsed["detail-type"], detailType);
}

function busNameOfArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(arn);
  return match?.[1];
}

function archiveArnOf(archive: FakeArchiveSpec): string {
  const [, , , region, account] = archive.eventSourceArn.split(":");
  return `arn:aws:events:${region}:${account}:archive/${archive.name}`;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function timeInput(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value * 1000) : undefined;
}

const invalid = (field: string, reason: string): JsonReply =>
  awsError(400, "ValidationException", `Parameter ${field} is not valid. Reason: ${reason}`);

/**
 * The replay side of the fake: operation handlers, a hook the bus calls for every accepted event, and test
 * controls. `redeliver` puts a replayed event on the bus (recorded with its replay name).
 */
export function createReplaySupport(options: {
  readonly archives: readonly FakeArchiveSpec[];
  readonly rules: readonly FakeRuleSpec[];
  /** RUNNING `DescribeReplay` calls before COMPLETED; each replays one slice of the window. */
  readonly runningSteps: number;
  /** Clock of the fake (epoch ms): retention and "in the future" are judged by it. */
  readonly now: () => number;
  readonly redeliver: (event: BusEvent, replayName: string) => string;
}): {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly onEvent: (event: BusEvent, replayName?: string) => void;
  readonly controls: ReplayControls;
} {
  const archives = options.archives.map((archive) => ({ ...archive, arn: archiveArnOf(archive) }));
  const archived = new Map<string, BusEvent[]>(archives.map((archive) => [archive.name, []]));
  const replays = new Map<string, Replay>();
  const deliveries: RuleDelivery[] = [];
  const replayNames: string[] = [];
  let failNext: string | undefined;

  const onEvent = (event: BusEvent, replayName?: string, filterArns?: readonly string[]) => {
    for (const rule of options.rules) {
      if (rule.eventBusName !== event.eventBusName) continue;
      if (filterArns !== undefined && !filterArns.includes(rule.arn)) continue;
      if (!patternMatches(rule.eventPattern, event.source, event.detailType)) continue;
      deliveries.push({
        ruleArn: rule.arn,
        eventId: event.eventId,
        detailType: event.detailType,
        detail: event.detail,
        ...(replayName === undefined ? {} : { replayName }),
      });
    }
    if (replayName !== undefined) return;
    for (const archive of archives) {
      if (busNameOfArn(archive.eventSourceArn) !== event.eventBusName) continue;
      if (patternMatches(archive.eventPattern, event.source, event.detailType))
        archived.get(archive.name)?.push(event);
    }
  };

  const describeArchive: OperationHandler = (input) => {
    const archive = archives.find((a) => a.name === input.ArchiveName);
    if (archive === undefined)
      return awsError(
        400,
        "ResourceNotFoundException",
        `Archive ${String(input.ArchiveName)} does not exist.`,
      );
    const events = archived.get(archive.name) ?? [];
    return {
      status: 200,
      body: {
        ArchiveArn: archive.arn,
        ArchiveName: archive.name,
        EventSourceArn: archive.eventSourceArn,
        ...(archive.eventPattern === undefined ? {} : { EventPattern: archive.eventPattern }),
        State: "ENABLED",
        RetentionDays: archive.retentionDays,
        SizeBytes: events.reduce((sum, e) => sum + e.detail.length, 0),
        EventCount: events.length,
        CreationTime: seconds(archive.creationTimeMs),
      },
    };
  };

  const startReplay: OperationHandler = (input) => {
    const name = input.ReplayName;
    if (typeof name !== "string" || !REPLAY_NAME.test(name))
      return invalid("ReplayName", "must be 1 to 64 of . - _ A-Z a-z 0-9.");
    const archive = archives.find((a) => a.arn === input.EventSourceArn);
    if (archive === undefined)
      return awsError(
        400,
        "ResourceNotFoundException",
        `Archive ${String(input.EventSourceArn)} does not exist.`,
      );
    if (replays.has(name))
      return awsError(400, "ResourceAlreadyExistsException", `Replay ${name} already exists.`);
    const startMs = timeInput(input, "EventStartTime");
    const endMs = timeInput(input, "EventEndTime");
    if (startMs === undefined) return invalid("EventStartTime", "is required.");
    if (endMs === undefined) return invalid("EventEndTime", "is required.");
    const nowMs = options.now();
    if (endMs <= startMs) return invalid("EventEndTime", "EventEndTime must be after EventStartTime.");
    if (endMs > nowMs) return invalid("EventEndTime", "EventEndTime cannot be in the future.");
    if (archive.retentionDays > 0 && startMs < nowMs - archive.retentionDays * DAY_MS)
      return invalid("EventStartTime", "EventStartTime is outside the archive's retention period.");
    const destination = (input.Destination ?? {}) as Record<string, unknown>;
    if (destination.Arn !== archive.eventSourceArn)
      return invalid("Destination.Arn", "Cross event bus replay is not permitted.");
    const filters = destination.FilterArns;
    if (filters !== undefined && (!Array.isArray(filters) || filters.some((f) => typeof f !== "string")))
      return invalid("Destination.FilterArns", "must be a list of rule ARNs.");
    const unknown = (filters ?? []).filter((arn: string) => !options.rules.some((r) => r.arn === arn));
    if (unknown.length > 0)
      return awsError(400, "ResourceNotFoundException", `Rule ${unknown[0]} does not exist.`);
    replays.set(name, {
      name,
      archive,
      startMs,
      endMs,
      destinationArn: archive.eventSourceArn,
      filterArns: filters as string[] | undefined,
      startedMs: nowMs,
      failReason: failNext,
      state: "STARTING",
      step: 0,
      lastReplayedMs: undefined,
      endedMs: undefined,
      reason: undefined,
    });
    failNext = undefined;
    replayNames.push(name);
    return {
      status: 200,
      body: { ReplayArn: replayArnOf(archive, name), State: "STARTING", ReplayStartTime: seconds(nowMs) },
    };
  };

  const replayArnOf = (archive: { readonly eventSourceArn: string }, name: string) => {
    const [, , , region, account] = archive.eventSourceArn.split(":");
    return `arn:aws:events:${region}:${account}:replay/${name}`;
  };

  /** Replays the archived events from the previous slice's end (or the start) up to `untilMs` (exclusive). */
  const replaySlice = (replay: Replay, untilMs: number) => {
    const fromMs = replay.lastReplayedMs ?? replay.startMs;
    const slice = (archived.get(replay.archive.name) ?? []).filter(
      (e) => e.timeMs >= fromMs && e.timeMs < untilMs,
    );
    for (const event of slice) {
      const eventId = options.redeliver(event, replay.name);
      onEvent({ ...event, eventId }, replay.name, replay.filterArns);
    }
    replay.lastReplayedMs = untilMs;
  };

  const advance = (replay: Replay) => {
    if (replay.state === "CANCELLING") {
      replay.state = "CANCELLED";
      replay.reason = "Replay was cancelled.";
      replay.endedMs = options.now();
      return;
    }
    if (replay.state !== "STARTING" && replay.state !== "RUNNING") return;
    replay.step += 1;
    if (replay.step === 1) return;
    if (replay.step > options.runningSteps + 1) {
      replay.state = "COMPLETED";
      replay.endedMs = options.now();
      return;
    }
    replay.state = "RUNNING";
    const span = replay.endMs - replay.startMs;
    const slice = replay.step - 1;
    replaySlice(replay, replay.startMs + Math.ceil((span * slice) / options.runningSteps));
    if (replay.failReason !== undefined) {
      replay.state = "FAILED";
      replay.reason = replay.failReason;
      replay.endedMs = options.now();
    }
  };

  const describeReplay: OperationHandler = (input) => {
    const replay = typeof input.ReplayName === "string" ? replays.get(input.ReplayName) : undefined;
    if (replay === undefined)
      return awsError(400, "ResourceNotFoundException", `Replay ${String(input.ReplayName)} does not exist.`);
    advance(replay);
    return {
      status: 200,
      body: {
        ReplayName: replay.name,
        ReplayArn: replayArnOf(replay.archive, replay.name),
        State: replay.state,
        ...(replay.reason === undefined ? {} : { StateReason: replay.reason }),
        EventSourceArn: replay.archive.arn,
        Destination: {
          Arn: replay.destinationArn,
          ...(replay.filterArns === undefined ? {} : { FilterArns: replay.filterArns }),
        },
        EventStartTime: seconds(replay.startMs),
        EventEndTime: seconds(replay.endMs),
        ...(replay.lastReplayedMs === undefined
          ? {}
          : { EventLastReplayedTime: seconds(Math.min(replay.lastReplayedMs, replay.endMs)) }),
        ReplayStartTime: seconds(replay.startedMs),
        ...(replay.endedMs === undefined ? {} : { ReplayEndTime: seconds(replay.endedMs) }),
      },
    };
  };

  const cancelReplay: OperationHandler = (input) => {
    const replay = typeof input.ReplayName === "string" ? replays.get(input.ReplayName) : undefined;
    if (replay === undefined)
      return awsError(400, "ResourceNotFoundException", `Replay ${String(input.ReplayName)} does not exist.`);
    if (replay.state !== "STARTING" && replay.state !== "RUNNING")
      return awsError(400, "IllegalStatusException", `Replay ${replay.name} is ${replay.state}.`);
    replay.state = "CANCELLING";
    return {
      status: 200,
      body: { ReplayArn: replayArnOf(replay.archive, replay.name), State: "CANCELLING" },
    };
  };

  return {
    operations: {
      DescribeArchive: describeArchive,
      StartReplay: startReplay,
      DescribeReplay: describeReplay,
      CancelReplay: cancelReplay,
    },
    onEvent: (event, replayName) => onEvent(event, replayName),
    controls: {
      deliveries,
      replayNames,
      failNextReplay: (reason) => {
        failNext = reason;
      },
    },
  };
}
