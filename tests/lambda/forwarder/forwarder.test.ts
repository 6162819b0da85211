import { putEventsChunks } from "../../../lambda/aws/event-sink";
import type { StoredLookup } from "../../../lambda/aws/stored-lookup";
import {
  createForwarder,
  createForwarderMetrics,
  FORWARDER_METRICS,
  readForwarderConfig,
} from "../../../lambda/forwarder";
import type { DynamoDbStreamRecord } from "../../../lambda/forwarder/stream";
import { createJsonLogger } from "../../../lambda/core/observability";
import type { EventPublisher } from "../../../lambda/core/ports";
import {
  type NewStoredEvent,
  PUT_EVENTS_MAX_BYTES,
  type StoredEvent,
  storedEventItem,
} from "../../../contract/events-table";
import { ManualClock, T0 } from "../../support/ports";

const event = (n: number, overrides: Partial<NewStoredEvent> = {}): NewStoredEvent => ({
  id: `evt_${n}`,
  type: "order.executed",
  createdAt: "2026-07-20T09:59:59+00:00",
  body: JSON.stringify({ id: `evt_${n}` }),
  via: "webhook",
  ...overrides,
});

const record = (n: number, receivedAtMs = T0 - 1_000): DynamoDbStreamRecord => ({
  eventName: "INSERT",
  dynamodb: { SequenceNumber: `seq-${n}`, NewImage: storedEventItem(event(n), receivedAtMs, 604_800) },
});

/** Accepts every event except the ids in `rejects`; records each call. */
class ScriptedPublisher implements EventPublisher {
  readonly calls: string[][] = [];
  constructor(readonly rejects: ReadonlySet<string> = new Set()) {}
  async publish(events: readonly StoredEvent[]): Promise<readonly boolean[]> {
    this.calls.push(events.map((e) => e.id));
    return events.map((e) => !this.rejects.has(e.id));
  }
}

function forwarderWith(
  publisher: EventPublisher,
  options: { lookup?: StoredLookup; failMarks?: boolean } = {},
) {
  const lines: string[] = [];
  const marks: string[] = [];
  const clock = new ManualClock(T0);
  const write = (line: string) => lines.push(line);
  const forward = createForwarder({
    publisher,
    markForwarded: async (id, nowMs) => {
      if (options.failMarks) throw Object.assign(new Error("throttled"), { code: "ThrottlingException" });
      marks.push(`${id}@${nowMs}`);
      return true;
    },
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    clock,
    logger: createJsonLogger(write, clock),
    metrics: createForwarderMetrics(write, clock),
  });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    forward,
    marks,
    emf: () => parsed().filter((l) => "_aws" in l),
    logs: () => parsed().filter((l) => !("_aws" in l)),
  };
}

describe("Function: createForwarder", () => {
  it("forwards every record with one publish, marks each, and reports no failure", async () => {
    // Prepare
    const publisher = new ScriptedPublisher();
    const f = forwarderWith(publisher);

    // Act
    const response = await f.forward({ Records: [record(1), record(2), record(3)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.calls).toEqual([["evt_1", "evt_2", "evt_3"]]);
    expect(f.marks).toEqual([`evt_1@${T0}`, `evt_2@${T0}`, `evt_3@${T0}`]);
  });

  it("reports exactly the records EventBridge did not accept, by sequence number", async () => {
    // Prepare
    const f = forwarderWith(new ScriptedPublisher(new Set(["evt_2", "evt_4"])));

    // Act
    const response = await f.forward({ Records: [record(1), record(2), record(3), record(4)] });

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: "seq-2" }, { itemIdentifier: "seq-4" }],
    });
    expect(f.marks).toEqual([`evt_1@${T0}`, `evt_3@${T0}`]);
  });

  it("skips records whose event is already marked forwarded (a retry re-delivers the records after a failed one)", async () => {
    // Prepare
    const publisher = new ScriptedPublisher();
    const lookup: StoredLookup = {
      states: async (ids) => new Map(ids.map((id) => [id, { forwarded: id === "evt_2" }])),
    };
    const f = forwarderWith(publisher, { lookup });

    // Act
    const response = await f.forward({ Records: [record(1), record(2)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.calls).toEqual([["evt_1"]]);
    expect(f.emf()[0]).toMatchObject({ Forwarded: 1, AlreadyForwarded: 1, ForwardFailed: 0 });
  });

  it("forwards everything when the lookup fails (at least once, never lost)", async () => {
    // Prepare
    const publisher = new ScriptedPublisher();
    const lookup: StoredLookup = { states: async () => Promise.reject(new Error("throttled")) };
    const f = forwarderWith(publisher, { lookup });

    // Act
    const response = await f.forward({ Records: [record(1)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.calls).toEqual([["evt_1"]]);
  });

  it("does not report an accepted event whose mark failed: it is on the bus; the failure is logged and counted", async () => {
    // Prepare
    const f = forwarderWith(new ScriptedPublisher(), { failMarks: true });

    // Act
    const response = await f.forward({ Records: [record(1)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(f.logs()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "forward_mark_failed",
        eventId: "evt_1",
        errorCode: "ThrottlingException",
      }),
    );
    expect(f.emf()[0]).toMatchObject({ Forwarded: 1, MarkFailed: 1 });
  });

  it("reports a record that is not a readable event item and forwards nothing for it", async () => {
    // Prepare
    const publisher = new ScriptedPublisher();
    const f = forwarderWith(publisher);
    const broken: DynamoDbStreamRecord = {
      eventName: "INSERT",
      dynamodb: { SequenceNumber: "seq-x", NewImage: { pk: { S: "evt_x" } } },
    };

    // Act
    const response = await f.forward({ Records: [broken, record(1)] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "seq-x" }] });
    expect(publisher.calls).toEqual([["evt_1"]]);
  });

  it("writes one EMF line per batch with the counts and the age of the oldest record", async () => {
    // Prepare
    const f = forwarderWith(new ScriptedPublisher(new Set(["evt_2"])));

    // Act
    await f.forward({ Records: [record(1, T0 - 5_000), record(2, T0 - 2_000)] });

    // Assess
    expect(f.emf()).toEqual([
      {
        _aws: {
          Timestamp: T0,
          CloudWatchMetrics: [
            {
              Namespace: "LemonWebhooks",
              Dimensions: [["Service"]],
              Metrics: [
                { Name: "Forwarded", Unit: "Count" },
                { Name: "ForwardFailed", Unit: "Count" },
                { Name: "AlreadyForwarded", Unit: "Count" },
                { Name: "MarkFailed", Unit: "Count" },
                { Name: "OldestRecordAgeMs", Unit: "Milliseconds" },
              ],
            },
          ],
        },
        Service: "lemon-webhooks-forwarder",
        Forwarded: 1,
        ForwardFailed: 1,
        AlreadyForwarded: 0,
        MarkFailed: 0,
        OldestRecordAgeMs: 5_000,
      },
    ]);
    expect(Object.values(FORWARDER_METRICS)).toEqual([
      "Forwarded",
      "ForwardFailed",
      "AlreadyForwarded",
      "MarkFailed",
      "OldestRecordAgeMs",
    ]);
  });
});

describe("Function: putEventsChunks", () => {
  it("splits at 10 entries", () => {
    // Act
    const chunks = putEventsChunks(Array.from({ length: 23 }, (_, i) => event(i)));

    // Assess
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
  });

  it("splits before a call would pass 256 KB", () => {
    // Prepare
    const big = (n: number) => event(n, { body: "x".repeat(100 * 1024) });

    // Act
    const chunks = putEventsChunks([big(1), big(2), big(3), event(4)]);

    // Assess
    expect(chunks.map((c) => c.map((e) => e.id))).toEqual([
      ["evt_1", "evt_2"],
      ["evt_3", "evt_4"],
    ]);
    expect(PUT_EVENTS_MAX_BYTES).toBe(262_144);
  });
});

describe("Function: readForwarderConfig", () => {
  it("names every missing variable at once", () => {
    // Act
    const read = () => readForwarderConfig({});

    // Assess
    expect(read).toThrow(
      "forwarder misconfigured: LEMON_EVENT_BUS_NAME is not set; set it to the name of the EventBridge bus to forward to; LEMON_DEDUPE_TABLE is not set; set it to the name of the DynamoDB table events are stored in",
    );
  });
});
