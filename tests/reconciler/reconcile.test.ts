import fc from "fast-check";
import { DependencyUnavailableError } from "../../lambda/errors";
import type { ForwardableEvent } from "../../lambda/ports";
import { type ReconcileSettings, reconcile } from "../../lambda/reconcile/reconcile";
import { MemoryEventSink } from "../lambda/support/ports";
import {
  ArrayEventsApi,
  apiEvent,
  MemoryDedupeLookup,
  MemoryWatermarkStore,
  memoryDeps,
  T0,
} from "./support";

const MINUTE = 60_000;
const SETTINGS: ReconcileSettings = {
  eventTypes: ["order.executed", "account.created"],
  overlapSeconds: 600,
  initialLookbackSeconds: 3_600,
};

/** Fails forwarding of one event id (EventBridge down for it), forwards the rest. */
class FailingSink extends MemoryEventSink {
  constructor(private readonly failId: string) {
    super();
  }
  override async forward(event: ForwardableEvent): Promise<void> {
    if (event.id === this.failId) throw new DependencyUnavailableError("eventbridge", "InternalFailure");
    return super.forward(event);
  }
}

describe("Function: reconcile", () => {
  it("forwards exactly the subscribed events the dedupe table has not seen, oldest first", async () => {
    // Prepare
    const events = [
      apiEvent(1, "order.executed", -30 * MINUTE),
      apiEvent(2, "account.created", -20 * MINUTE),
      apiEvent(3, "identification.created", -15 * MINUTE),
      apiEvent(4, "order.executed", -10 * MINUTE),
    ];
    const api = new ArrayEventsApi([events[3]!, events[0]!, events[2]!, events[1]!]);
    const { deps, sink, dedupe } = memoryDeps(api);
    dedupe.items.set("evt_000002", { status: "done", token: "webhook" });

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000001", "evt_000004"]);
    expect(sink.forwarded[0]).toEqual({
      id: "evt_000001",
      type: "order.executed",
      createdAt: events[0]!.created_at,
      json: JSON.stringify(events[0]),
    });
    expect(report).toEqual({
      outcome: "complete",
      since: new Date(T0 - 3_600_000).toISOString(),
      scanned: 4,
      recovered: 2,
      alreadyForwarded: 1,
      inFlight: 0,
      ignored: 1,
      invalid: 0,
      newestEventMs: T0 - 10 * MINUTE,
      previousWatermarkMs: undefined,
      watermarkMs: T0 - 10 * MINUTE,
      watermarkMoved: true,
    });
    expect(dedupe.items.get("evt_000003")).toBeUndefined();
  });

  it("reads from the watermark minus the overlap, and moves the watermark to start minus overlap when that is later", async () => {
    // Prepare
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -50 * MINUTE)]);
    const watermarks = new MemoryWatermarkStore(T0 - 40 * MINUTE);
    const { deps, sink } = memoryDeps(api, watermarks);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(api.queries).toEqual([{ since: new Date(T0 - 50 * MINUTE).toISOString() }]);
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000001"]);
    expect(report.watermarkMs).toBe(T0 - 10 * MINUTE);
    expect(watermarks.value).toBe(T0 - 10 * MINUTE);
  });

  it("forwards an event published late with a created_at inside the overlap window", async () => {
    // Prepare: run 1 sees an event at T0-2min; the watermark becomes T0-2min.
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -2 * MINUTE)]);
    const { deps, sink, clock, watermarks } = memoryDeps(api);
    await reconcile(deps, SETTINGS);
    // A late one appears, stamped 9 minutes before the watermark (clock skew): inside the 10-minute overlap.
    // One stamped 11 minutes before it is outside the window, and the window is what the overlap promises.
    api.events.push(apiEvent(2, "order.executed", -11 * MINUTE), apiEvent(3, "order.executed", -13 * MINUTE));
    clock.advance(15 * MINUTE);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(api.queries[1]).toEqual({ since: new Date(T0 - 12 * MINUTE).toISOString() });
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000001", "evt_000002"]);
    expect(report.recovered).toBe(1);
    expect(report.alreadyForwarded).toBe(1);
    expect(watermarks.value).toBe(T0 + 5 * MINUTE);
  });

  it("sends the type filter to the API only when exactly one type is subscribed", async () => {
    // Prepare
    const api = new ArrayEventsApi([
      apiEvent(1, "order.executed", -MINUTE),
      apiEvent(2, "account.created", -MINUTE),
    ]);
    const { deps, sink } = memoryDeps(api);

    // Act
    await reconcile(deps, { ...SETTINGS, eventTypes: ["account.created"] });

    // Assess
    expect(api.queries).toEqual([{ since: new Date(T0 - 3_600_000).toISOString(), type: "account.created" }]);
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000002"]);
  });

  it("leaves the watermark unchanged when the API fails, even after pages were processed", async () => {
    // Prepare
    const events = Array.from({ length: 25 }, (_, i) =>
      apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
    );
    const api = new ArrayEventsApi(events, 10);
    api.failAfterPages = 2;
    const watermarks = new MemoryWatermarkStore(T0 - 31 * MINUTE);
    const { deps, sink } = memoryDeps(api, watermarks);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "EventsApiError",
      detail: "GET /v1/events failed after 5 attempt(s): HTTP 503",
    });
    expect(sink.forwarded).toHaveLength(20);
    expect(watermarks.writes).toEqual([]);
    expect(watermarks.value).toBe(T0 - 31 * MINUTE);
    expect(report.watermarkMoved).toBe(false);
  });

  it("writes no watermark when the first run's API call fails", async () => {
    // Prepare
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -MINUTE)]);
    api.failAfterPages = 0;
    const { deps, sink, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(sink.forwarded).toEqual([]);
    expect(watermarks.writes).toEqual([]);
    expect(watermarks.value).toBeUndefined();
  });

  it("stops at a forwarding failure and holds the watermark at the failed event", async () => {
    // Prepare
    const events = [1, 2, 3, 4].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const api = new ArrayEventsApi(events);
    const { deps, dedupe } = memoryDeps(api);
    const sink = new FailingSink("evt_000003");

    // Act
    const report = await reconcile({ ...deps, sink }, SETTINGS);

    // Assess
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000001", "evt_000002"]);
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "DependencyUnavailableError",
      detail: "eventbridge unavailable (InternalFailure)",
    });
    expect(report.watermarkMs).toBe(T0 - 7 * MINUTE);
    // The failed event's claim was given back, so the next run can forward it.
    expect(dedupe.items.has("evt_000003")).toBe(false);
    expect(dedupe.items.has("evt_000004")).toBe(false);
  });

  it("holds the watermark at an event another invocation is forwarding and forwards it next run", async () => {
    // Prepare
    const events = [1, 2, 3].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const api = new ArrayEventsApi(events);
    const { deps, dedupe, sink, clock } = memoryDeps(api);
    dedupe.items.set("evt_000002", { status: "pending", token: "webhook-invocation" });

    // Act
    const first = await reconcile(deps, SETTINGS);
    dedupe.items.delete("evt_000002"); // that invocation failed and gave its claim back
    clock.advance(15 * MINUTE);
    const second = await reconcile(deps, SETTINGS);

    // Assess
    expect(first.inFlight).toBe(1);
    expect(first.watermarkMs).toBe(T0 - 8 * MINUTE);
    expect(second.since).toBe(new Date(T0 - 18 * MINUTE).toISOString());
    expect(second.recovered).toBe(1);
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000001", "evt_000003", "evt_000002"]);
  });

  it("stops paging at the deadline and keeps what it processed", async () => {
    // Prepare
    const events = Array.from({ length: 25 }, (_, i) =>
      apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
    );
    const api = new ArrayEventsApi(events, 10);
    const { deps, sink, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, { ...SETTINGS, deadlineMs: T0 });

    // Assess
    expect(report.outcome).toBe("partial");
    expect(sink.forwarded).toHaveLength(10);
    expect(watermarks.value).toBe(T0 - 21 * MINUTE);
  });

  it("logs and skips an invalid event without forwarding it or blocking the watermark", async () => {
    // Prepare
    const bad = { ...apiEvent(1, "order.executed", -5 * MINUTE), id: "not-an-event-id" };
    const api = new ArrayEventsApi([bad, apiEvent(2, "order.executed", -4 * MINUTE)]);
    const { deps, sink, lines, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.invalid).toBe(1);
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000002"]);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual({
      level: "error",
      msg: "reconcile_invalid_event",
      reason: 'field "id" must be an event id like "evt_…" (letters, digits, _ or -)',
    });
    expect(watermarks.value).toBe(T0 - 4 * MINUTE);
  });

  it("never moves the watermark backwards when an overlapping run stored a later one", async () => {
    // Prepare
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -20 * MINUTE)]);
    const watermarks = new MemoryWatermarkStore(T0 - 25 * MINUTE);
    const { deps } = memoryDeps(api, watermarks);
    const slowWatermarks = {
      read: () => watermarks.read(),
      advance: async (ms: number) => {
        watermarks.value = T0 + 60 * MINUTE; // the other run finished first
        return watermarks.advance(ms);
      },
    };

    // Act
    const report = await reconcile({ ...deps, watermarks: slowWatermarks }, SETTINGS);

    // Assess
    expect(report.watermarkMoved).toBe(false);
    expect(report.watermarkMs).toBe(T0 + 60 * MINUTE);
    expect(watermarks.value).toBe(T0 + 60 * MINUTE);
  });

  it("skips the claim for events the batch pre-check reports done, and claims the rest", async () => {
    // Prepare
    const events = [1, 2, 3, 4].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const { deps, dedupe, sink } = memoryDeps(
      new ArrayEventsApi([...events, apiEvent(5, "identification.created", -MINUTE)]),
    );
    dedupe.items.set("evt_000001", { status: "done", token: "webhook" });
    dedupe.items.set("evt_000003", { status: "done", token: "webhook" });
    const lookup = new MemoryDedupeLookup(dedupe);

    // Act
    const report = await reconcile({ ...deps, lookup }, SETTINGS);

    // Assess
    expect(lookup.batches).toEqual([["evt_000001", "evt_000002", "evt_000003", "evt_000004"]]);
    expect(dedupe.calls.filter((c) => c.startsWith("claim"))).toEqual([
      "claim evt_000002",
      "claim evt_000004",
    ]);
    expect(sink.forwarded.map((e) => e.id)).toEqual(["evt_000002", "evt_000004"]);
    expect(report).toMatchObject({ recovered: 2, alreadyForwarded: 2, ignored: 1 });
  });

  it("fails the run without passing the page when the batch pre-check fails", async () => {
    // Prepare
    const events = [1, 2].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const watermarks = new MemoryWatermarkStore(T0 - 60 * MINUTE);
    const { deps, dedupe, sink } = memoryDeps(new ArrayEventsApi(events), watermarks);
    const lookup = new MemoryDedupeLookup(dedupe);
    lookup.failing = true;

    // Act
    const report = await reconcile({ ...deps, lookup }, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "DependencyUnavailableError",
      detail: "dynamodb unavailable (InternalServerError)",
    });
    expect(sink.forwarded).toEqual([]);
    expect(watermarks.value).toBe(T0 - 9 * MINUTE);
  });

  it("forwards every subscribed event exactly once across runs, whatever the webhook already forwarded", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            type: fc.constantFrom("order.executed", "account.created", "identification.created"),
            offsetMin: fc.integer({ min: -55, max: 0 }),
            byWebhook: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (specs, pageSize) => {
          // Prepare
          const events = specs.map((s, i) => apiEvent(i + 1, s.type, s.offsetMin * MINUTE));
          const api = new ArrayEventsApi(events, pageSize);
          const { deps, dedupe, sink, clock } = memoryDeps(api);
          const webhookIds = events.filter((_, i) => specs[i]!.byWebhook).map((e) => e.id);
          for (const id of webhookIds) dedupe.items.set(id, { status: "done", token: "webhook" });

          // Act
          await reconcile(deps, SETTINGS);
          clock.advance(15 * MINUTE);
          const second = await reconcile(deps, SETTINGS);

          // Assess
          const subscribed = events.filter((e) => SETTINGS.eventTypes.includes(e.type)).map((e) => e.id);
          const forwarded = sink.forwarded.map((e) => e.id);
          expect(new Set(forwarded).size).toBe(forwarded.length);
          expect([...forwarded].sort()).toEqual(subscribed.filter((id) => !webhookIds.includes(id)).sort());
          expect(second.recovered).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
