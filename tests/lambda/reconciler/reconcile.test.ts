import fc from "fast-check";
import { validateReconcilerArgs } from "../../../components/reconciler/args";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import type { EventStore } from "../../../lambda/core/ports";
import { EventsApiError } from "../../../lambda/reconciler/errors";
import {
  DEDUPE_TTL_MARGIN_SECONDS,
  type ReconcileSettings,
  reconcile,
} from "../../../lambda/reconciler/reconcile";
import type { NewStoredEvent } from "../../../contract/events-table";
import {
  ArrayEventsApi,
  apiEvent,
  MemoryStoredLookup,
  MemoryWatermarkStore,
  memoryDeps,
  reconciled,
  storedByWebhook,
  T0,
} from "../../support/reconciler";

const MINUTE = 60_000;
/** No settle time: the rules below are about the watermark and forwarding, not the race with the webhook. */
const SETTINGS: ReconcileSettings = {
  eventTypes: ["order.executed", "account.created"],
  overlapSeconds: 600,
  initialLookbackSeconds: 3_600,
  settleSeconds: 0,
  dedupeTtlSeconds: 604_800,
};

/** `store` with the write of one event id failing (DynamoDB not answering for it). */
function failingFor(store: EventStore, failId: string, code = "timeout"): EventStore {
  return {
    store: (event: NewStoredEvent, nowMs: number) =>
      event.id === failId
        ? Promise.reject(new DependencyUnavailableError("dynamodb", code))
        : store.store(event, nowMs),
  };
}

describe("Function: reconcile", () => {
  it("stores exactly the subscribed events the table does not have, oldest first, via reconciler", async () => {
    // Prepare
    const events = [
      apiEvent(1, "order.executed", -30 * MINUTE),
      apiEvent(2, "account.created", -20 * MINUTE),
      apiEvent(3, "identification.created", -15 * MINUTE),
      apiEvent(4, "order.executed", -10 * MINUTE),
    ];
    const api = new ArrayEventsApi([events[3]!, events[0]!, events[2]!, events[1]!]);
    const { deps, store } = memoryDeps(api);
    storedByWebhook(store, "evt_000002");

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(reconciled(store)).toEqual(["evt_000001", "evt_000004"]);
    expect(store.items.get("evt_000001")).toEqual({
      id: "evt_000001",
      type: "order.executed",
      createdAt: events[0]!.created_at,
      body: JSON.stringify(events[0]),
      via: "reconciler",
      receivedAtMs: T0,
    });
    expect(report).toEqual({
      outcome: "complete",
      since: new Date(T0 - 3_600_000).toISOString(),
      until: new Date(T0).toISOString(),
      watermarkGapSeconds: 0,
      scanned: 4,
      recovered: 2,
      alreadyStored: 1,
      ignored: 1,
      invalid: 0,
      newestEventMs: T0 - 10 * MINUTE,
      previousWatermarkMs: undefined,
      watermarkMs: T0 - 10 * MINUTE,
      watermarkMoved: true,
    });
    expect(store.items.get("evt_000003")).toBeUndefined();
  });

  it("reads from the watermark minus the overlap, and moves the watermark to start minus overlap when that is later", async () => {
    // Prepare
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -50 * MINUTE)]);
    const watermarks = new MemoryWatermarkStore(T0 - 40 * MINUTE);
    const { deps, store } = memoryDeps(api, watermarks);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(api.queries).toEqual([{ since: new Date(T0 - 50 * MINUTE).toISOString() }]);
    expect(reconciled(store)).toEqual(["evt_000001"]);
    expect(report.watermarkMs).toBe(T0 - 10 * MINUTE);
    expect(watermarks.value).toBe(T0 - 10 * MINUTE);
  });

  it("forwards an event published late with a created_at inside the overlap window", async () => {
    // Prepare: run 1 sees an event at T0-2min; the watermark becomes T0-2min.
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -2 * MINUTE)]);
    const { clock, deps, store, watermarks } = memoryDeps(api);
    await reconcile(deps, SETTINGS);
    // A late one appears, stamped 9 minutes before the watermark (clock skew): inside the 10-minute overlap.
    // One stamped 11 minutes before it is outside the window, and the window is what the overlap promises.
    api.events.push(apiEvent(2, "order.executed", -11 * MINUTE), apiEvent(3, "order.executed", -13 * MINUTE));
    clock.advance(15 * MINUTE);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(api.queries[1]).toEqual({ since: new Date(T0 - 12 * MINUTE).toISOString() });
    expect(reconciled(store)).toEqual(["evt_000001", "evt_000002"]);
    expect(report.recovered).toBe(1);
    expect(report.alreadyStored).toBe(1);
    expect(watermarks.value).toBe(T0 + 5 * MINUTE);
  });

  it("sends the type filter to the API only when exactly one type is subscribed", async () => {
    // Prepare
    const api = new ArrayEventsApi([
      apiEvent(1, "order.executed", -MINUTE),
      apiEvent(2, "account.created", -MINUTE),
    ]);
    const { deps, store } = memoryDeps(api);

    // Act
    await reconcile(deps, { ...SETTINGS, eventTypes: ["account.created"] });

    // Assess
    expect(api.queries).toEqual([{ since: new Date(T0 - 3_600_000).toISOString(), type: "account.created" }]);
    expect(reconciled(store)).toEqual(["evt_000002"]);
  });

  it("leaves the watermark unchanged when the API fails, even after pages were processed", async () => {
    // Prepare
    const events = Array.from({ length: 25 }, (_, i) =>
      apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
    );
    const api = new ArrayEventsApi(events, 10);
    api.failAfterPages = 2;
    const watermarks = new MemoryWatermarkStore(T0 - 31 * MINUTE);
    const { deps, store } = memoryDeps(api, watermarks);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "EventsApiError",
      detail: "GET /v1/events failed after 5 attempt(s): HTTP 503",
    });
    expect(reconciled(store)).toHaveLength(20);
    expect(watermarks.writes).toEqual([]);
    expect(watermarks.value).toBe(T0 - 31 * MINUTE);
    expect(report.watermarkMoved).toBe(false);
  });

  it("writes no watermark when the first run's API call fails", async () => {
    // Prepare
    const api = new ArrayEventsApi([apiEvent(1, "order.executed", -MINUTE)]);
    api.failAfterPages = 0;
    const { deps, store, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(reconciled(store)).toEqual([]);
    expect(watermarks.writes).toEqual([]);
    expect(watermarks.value).toBeUndefined();
  });

  it("stops at a store that stays unanswered and holds the watermark at that event", async () => {
    // Prepare
    const events = [1, 2, 3, 4].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const api = new ArrayEventsApi(events);
    const { deps, store } = memoryDeps(api);

    // Act
    const report = await reconcile({ ...deps, store: failingFor(store, "evt_000003") }, SETTINGS);

    // Assess
    expect(reconciled(store)).toEqual(["evt_000001", "evt_000002"]);
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "DependencyUnavailableError",
      detail: "dynamodb unavailable (timeout)",
    });
    expect(report.watermarkMs).toBe(T0 - 7 * MINUTE);
    expect(store.items.has("evt_000004")).toBe(false);
  });

  it("retries a store whose answer was lost: the retry finds it stored, once, and the watermark passes it", async () => {
    // Prepare
    const events = [1, 2].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const { deps, sleeps, store } = memoryDeps(new ArrayEventsApi(events));
    store.landThenFail = 1;

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report).toMatchObject({ outcome: "complete", recovered: 1, alreadyStored: 1 });
    expect(store.calls).toEqual(["store evt_000001", "store evt_000001", "store evt_000002"]);
    expect(reconciled(store)).toEqual(["evt_000001", "evt_000002"]);
    expect(sleeps).toEqual([200]);
    expect(report.watermarkMs).toBe(T0 - 8 * MINUTE);
  });

  it("holds the watermark at a store still unanswered after the retries and stores it next run", async () => {
    // Prepare
    const events = [1, 2].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const watermarks = new MemoryWatermarkStore(T0 - 60 * MINUTE);
    const { clock, deps, store } = memoryDeps(new ArrayEventsApi(events), watermarks);
    store.failing = true;

    // Act
    const first = await reconcile(deps, SETTINGS);
    store.failing = false;
    clock.advance(15 * MINUTE);
    const second = await reconcile(deps, SETTINGS);

    // Assess
    // The watermark may reach the unsettled event but never pass it: the next run (watermark − overlap) re-reads it.
    expect(first).toMatchObject({ outcome: "failed", recovered: 0, watermarkMs: T0 - 9 * MINUTE });
    expect(store.calls.slice(0, 4)).toEqual(Array.from({ length: 4 }, () => "store evt_000001"));
    expect(second).toMatchObject({ outcome: "complete", recovered: 2 });
    expect(reconciled(store)).toEqual(["evt_000001", "evt_000002"]);
  });

  it("stops paging at the deadline and keeps what it processed", async () => {
    // Prepare
    const events = Array.from({ length: 25 }, (_, i) =>
      apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
    );
    const api = new ArrayEventsApi(events, 10);
    const { deps, store, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, { ...SETTINGS, deadlineMs: T0 });

    // Assess
    expect(report.outcome).toBe("partial");
    expect(reconciled(store)).toHaveLength(10);
    expect(watermarks.value).toBe(T0 - 21 * MINUTE);
  });

  it("logs and skips an invalid event without forwarding it or blocking the watermark", async () => {
    // Prepare
    const bad = { ...apiEvent(1, "order.executed", -5 * MINUTE), id: "not-an-event-id" };
    const api = new ArrayEventsApi([bad, apiEvent(2, "order.executed", -4 * MINUTE)]);
    const { deps, lines, store, watermarks } = memoryDeps(api);

    // Act
    const report = await reconcile(deps, SETTINGS);

    // Assess
    expect(report.invalid).toBe(1);
    expect(reconciled(store)).toEqual(["evt_000002"]);
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

  it("skips the write for events the batch pre-check finds stored, and stores the rest", async () => {
    // Prepare
    const events = [1, 2, 3, 4].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const { deps, store } = memoryDeps(
      new ArrayEventsApi([...events, apiEvent(5, "identification.created", -MINUTE)]),
    );
    storedByWebhook(store, "evt_000001");
    storedByWebhook(store, "evt_000003");
    const lookup = new MemoryStoredLookup(store);

    // Act
    const report = await reconcile({ ...deps, lookup }, SETTINGS);

    // Assess
    expect(lookup.batches).toEqual([["evt_000001", "evt_000002", "evt_000003", "evt_000004"]]);
    expect(store.calls).toEqual(["store evt_000002", "store evt_000004"]);
    expect(reconciled(store)).toEqual(["evt_000002", "evt_000004"]);
    expect(report).toMatchObject({ recovered: 2, alreadyStored: 2, ignored: 1 });
  });

  it("fails the run without passing the page when the batch pre-check fails", async () => {
    // Prepare
    const events = [1, 2].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
    const watermarks = new MemoryWatermarkStore(T0 - 60 * MINUTE);
    const { deps, store } = memoryDeps(new ArrayEventsApi(events), watermarks);
    const lookup = new MemoryStoredLookup(store);
    lookup.failing = true;

    // Act
    const report = await reconcile({ ...deps, lookup }, SETTINGS);

    // Assess
    expect(report.outcome).toBe("failed");
    expect(report.error).toEqual({
      name: "DependencyUnavailableError",
      detail: "dynamodb unavailable (InternalServerError)",
    });
    expect(reconciled(store)).toEqual([]);
    expect(watermarks.value).toBe(T0 - 9 * MINUTE);
  });

  it("stores every subscribed event exactly once across runs, whatever the webhook already stored", async () => {
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
          const { clock, deps, store } = memoryDeps(api);
          const webhookIds = events.filter((_, i) => specs[i]!.byWebhook).map((e) => e.id);
          for (const id of webhookIds) storedByWebhook(store, id);

          // Act
          await reconcile(deps, SETTINGS);
          clock.advance(15 * MINUTE);
          const second = await reconcile(deps, SETTINGS);

          // Assess
          const subscribed = events.filter((e) => SETTINGS.eventTypes.includes(e.type)).map((e) => e.id);
          const forwarded = reconciled(store);
          expect(new Set(forwarded).size).toBe(forwarded.length);
          expect([...forwarded].sort()).toEqual(subscribed.filter((id) => !webhookIds.includes(id)).sort());
          expect(second.recovered).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  describe("the first run after a fresh deploy", () => {
    it("forwards only what the stack could have received, with the component's default lookback", async () => {
      // Prepare: the defaults the component sets (15-minute interval + 600 s overlap, 300 s settle). The
      // webhook registered 15 minutes ago delivered nothing yet; the account has a day of history.
      const resolved = validateReconcilerArgs({ events: ["order.executed"] });
      const history = [-24 * 60, -6 * 60, -60, -26].map((min, i) =>
        apiEvent(i + 1, "order.executed", min * MINUTE),
      );
      const sinceDeploy = apiEvent(9, "order.executed", -12 * MINUTE);
      const api = new ArrayEventsApi([...history, sinceDeploy]);
      const { deps, store } = memoryDeps(api);

      // Act
      const report = await reconcile(deps, {
        eventTypes: resolved.events,
        overlapSeconds: resolved.overlapSeconds,
        initialLookbackSeconds: resolved.initialLookbackSeconds,
        settleSeconds: resolved.settleSeconds,
        dedupeTtlSeconds: resolved.dedupeTtlSeconds,
      });

      // Assess
      expect(resolved.initialLookbackSeconds).toBe(1_500);
      expect(api.queries).toEqual([
        { since: new Date(T0 - 25 * MINUTE).toISOString(), type: "order.executed" },
      ]);
      expect(reconciled(store)).toEqual(["evt_000009"]);
      expect(report).toMatchObject({ scanned: 1, recovered: 1, watermarkGapSeconds: 0 });
    });

    it("reads a day back only when the lookback is set explicitly", async () => {
      // Prepare
      const resolved = validateReconcilerArgs({ events: ["order.executed"], initialLookbackSeconds: 86_400 });
      const api = new ArrayEventsApi([apiEvent(1, "order.executed", -6 * 60 * MINUTE)]);
      const { deps, store } = memoryDeps(api);

      // Act
      await reconcile(deps, { ...SETTINGS, initialLookbackSeconds: resolved.initialLookbackSeconds });

      // Assess
      expect(reconciled(store)).toEqual(["evt_000001"]);
    });
  });

  describe("the settle time", () => {
    const SETTLED = { ...SETTINGS, settleSeconds: 300 };

    it("leaves an event created just before the run to its webhook, and forwards it in a later run if the webhook never delivers it", async () => {
      // Prepare
      const api = new ArrayEventsApi([
        apiEvent(1, "order.executed", -20 * MINUTE),
        apiEvent(2, "order.executed", -30_000),
        apiEvent(3, "account.created", -10_000),
      ]);
      const watermarks = new MemoryWatermarkStore(T0 - 20 * MINUTE);
      const { clock, deps, store } = memoryDeps(api, watermarks);

      // Act
      const first = await reconcile(deps, SETTLED);
      const forwardedByFirst = reconciled(store);
      clock.advance(15 * MINUTE);
      const later = await reconcile(deps, SETTLED);

      // Assess
      expect(forwardedByFirst).toEqual(["evt_000001"]);
      expect(first).toMatchObject({
        outcome: "complete",
        until: new Date(T0 - 5 * MINUTE).toISOString(),
        scanned: 1,
        recovered: 1,
        watermarkMs: T0 - 15 * MINUTE,
      });
      expect(later).toMatchObject({ outcome: "complete", scanned: 3, recovered: 2, alreadyStored: 1 });
      expect(reconciled(store)).toEqual(["evt_000001", "evt_000002", "evt_000003"]);
    });

    it("counts an event the webhook delivers during the settle time as already stored, never as recovered", async () => {
      // Prepare
      const api = new ArrayEventsApi([apiEvent(1, "order.executed", -MINUTE)]);
      const { clock, deps, store } = memoryDeps(api);

      // Act
      const first = await reconcile(deps, SETTLED);
      storedByWebhook(store, "evt_000001");
      clock.advance(15 * MINUTE);
      const later = await reconcile(deps, SETTLED);

      // Assess
      expect([first.recovered, later.recovered]).toEqual([0, 0]);
      expect(later.alreadyStored).toBe(1);
      expect(reconciled(store)).toEqual([]);
    });

    it("never moves the watermark past the start minus the settle time", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: -40 * 60, max: 0 }), { maxLength: 30 }),
          fc.integer({ min: 0, max: 3_600 }),
          async (offsetsSeconds, settleSeconds) => {
            // Prepare
            const events = offsetsSeconds.map((sec, i) => apiEvent(i + 1, "order.executed", sec * 1000));
            const { deps, watermarks } = memoryDeps(new ArrayEventsApi(events, 4));

            // Act
            const report = await reconcile(deps, { ...SETTINGS, settleSeconds });

            // Assess
            const untilMs = T0 - settleSeconds * 1000;
            expect(report.until).toBe(new Date(untilMs).toISOString());
            expect(watermarks.writes.every((ms) => ms <= untilMs)).toBe(true);
            expect(report.scanned).toBe(events.filter((e) => Date.parse(e.created_at) <= untilMs).length);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe("a watermark older than the dedupe TTL", () => {
    it("reads no further back than the TTL minus the margin, logs the gap and reports it", async () => {
      // Prepare: the reconciler last completed 8 days ago; the dedupe table forgets after 7.
      const DAY = 24 * 60 * MINUTE;
      const api = new ArrayEventsApi([
        apiEvent(1, "order.executed", -7.5 * DAY),
        apiEvent(2, "order.executed", -DAY),
      ]);
      const watermarks = new MemoryWatermarkStore(T0 - 8 * DAY);
      const { deps, lines, store } = memoryDeps(api, watermarks);
      const oldestSafe = T0 - (604_800 - DEDUPE_TTL_MARGIN_SECONDS) * 1000;
      const intended = T0 - 8 * DAY - 10 * MINUTE;

      // Act
      const report = await reconcile(deps, SETTINGS);

      // Assess
      expect(api.queries).toEqual([{ since: new Date(oldestSafe).toISOString() }]);
      expect(reconciled(store)).toEqual(["evt_000002"]);
      expect(report.watermarkGapSeconds).toBe((oldestSafe - intended) / 1000);
      expect(lines.map((l) => JSON.parse(l))).toContainEqual({
        level: "warn",
        msg: "reconcile_watermark_gap",
        gapSeconds: (oldestSafe - intended) / 1000,
        skippedFrom: new Date(intended).toISOString(),
        skippedTo: new Date(oldestSafe).toISOString(),
        why: "the window reached back further than the dedupe TTL allows; events in the skipped part are not reconciled",
      });
      expect(watermarks.value).toBe(T0 - 10 * MINUTE);
    });

    it("reports no gap and logs nothing while the window is inside the TTL", async () => {
      // Prepare
      const watermarks = new MemoryWatermarkStore(T0 - (604_800 - DEDUPE_TTL_MARGIN_SECONDS - 600) * 1000);
      const { deps, lines } = memoryDeps(new ArrayEventsApi([]), watermarks);

      // Act
      const report = await reconcile(deps, SETTINGS);

      // Assess
      expect(report.watermarkGapSeconds).toBe(0);
      expect(lines.filter((l) => l.includes("reconcile_watermark_gap"))).toEqual([]);
    });
  });

  describe("the run's deadline inside the events client", () => {
    it("passes the deadline to the pager", async () => {
      // Prepare
      const api = new ArrayEventsApi([]);
      const { deps } = memoryDeps(api);

      // Act
      await reconcile(deps, { ...SETTINGS, deadlineMs: T0 + 280_000 });

      // Assess
      expect(api.limits).toEqual([{ deadlineMs: T0 + 280_000 }]);
    });

    it("ends partial, without an error, keeping the watermark at the last processed event when the pager stops at the deadline", async () => {
      // Prepare
      const events = Array.from({ length: 25 }, (_, i) =>
        apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
      );
      const api = new ArrayEventsApi(events, 10);
      api.failAfterPages = 2;
      api.failure = new EventsApiError("deadline", undefined, 0, "stopped at the run's deadline");
      const { deps, store, watermarks } = memoryDeps(api);

      // Act
      const report = await reconcile(deps, SETTINGS);

      // Assess
      expect(report.outcome).toBe("partial");
      expect(report.error).toBeUndefined();
      expect(reconciled(store)).toHaveLength(20);
      expect(watermarks.value).toBe(T0 - 11 * MINUTE);
    });

    it("fails, still keeping the processed events, when the deadline cut off the retries of a failing API", async () => {
      // Prepare
      const events = Array.from({ length: 15 }, (_, i) =>
        apiEvent(i + 1, "order.executed", -(30 - i) * MINUTE),
      );
      const api = new ArrayEventsApi(events, 10);
      api.failAfterPages = 1;
      api.failure = new EventsApiError(
        "deadline",
        undefined,
        2,
        "no time left before the run's deadline for another retry",
      );
      const { deps, store, watermarks } = memoryDeps(api);

      // Act
      const report = await reconcile(deps, SETTINGS);

      // Assess
      expect(report.outcome).toBe("failed");
      expect(report.error).toEqual({
        name: "EventsApiError",
        detail:
          "GET /v1/events failed after 2 attempt(s): no time left before the run's deadline for another retry",
      });
      expect(reconciled(store)).toHaveLength(10);
      expect(watermarks.value).toBe(T0 - 21 * MINUTE);
    });
  });

  describe("throttled AWS calls", () => {
    it("retries a throttled store and batch pre-check with backoff and completes the run", async () => {
      // Prepare
      const events = [1, 2].map((n) => apiEvent(n, "order.executed", -(10 - n) * MINUTE));
      const { deps, sleeps, store } = memoryDeps(new ArrayEventsApi(events));
      const throttled = (code: string) => new DependencyUnavailableError("dynamodb", code);
      const failures = {
        lookup: [throttled("ProvisionedThroughputExceededException")],
        store: [throttled("ThrottlingException"), throttled("http-500")],
      };
      const lookup = new MemoryStoredLookup(store);
      const flaky = {
        store: {
          store: (event: NewStoredEvent, nowMs: number) => {
            const error = failures.store.shift();
            return error === undefined ? store.store(event, nowMs) : Promise.reject(error);
          },
        },
        lookup: {
          states: (ids: readonly string[]) => {
            const error = failures.lookup.shift();
            return error === undefined ? lookup.states(ids) : Promise.reject(error);
          },
        },
      };

      // Act
      const report = await reconcile({ ...deps, ...flaky }, SETTINGS);

      // Assess
      expect(report).toMatchObject({ outcome: "complete", recovered: 2 });
      expect(report.error).toBeUndefined();
      expect(reconciled(store)).toEqual(["evt_000001", "evt_000002"]);
      expect(sleeps).toEqual([200, 200, 400]);
    });

    it("gives up after four tries, and at once on a failure that is not transient", async () => {
      // Prepare
      const events = [apiEvent(1, "order.executed", -5 * MINUTE)];
      const persistent = memoryDeps(new ArrayEventsApi(events));
      const denied = memoryDeps(new ArrayEventsApi(events));
      const failing = (code: string) => ({
        store: () => Promise.reject(new DependencyUnavailableError("dynamodb", code)),
      });

      // Act
      const throttledReport = await reconcile(
        { ...persistent.deps, store: failing("ThrottlingException") },
        SETTINGS,
      );
      const deniedReport = await reconcile(
        { ...denied.deps, store: failing("AccessDeniedException") },
        SETTINGS,
      );

      // Assess
      expect(throttledReport.error).toEqual({
        name: "DependencyUnavailableError",
        detail: "dynamodb unavailable (ThrottlingException)",
      });
      expect(persistent.sleeps).toEqual([200, 400, 800]);
      expect(deniedReport.outcome).toBe("failed");
      expect(denied.sleeps).toEqual([]);
    });

    it("does not sleep for a retry that would end past the run's deadline", async () => {
      // Prepare
      const { deps, sleeps } = memoryDeps(new ArrayEventsApi([apiEvent(1, "order.executed", -5 * MINUTE)]));
      const store = {
        store: () => Promise.reject(new DependencyUnavailableError("dynamodb", "http-503")),
      };

      // Act
      const report = await reconcile({ ...deps, store }, { ...SETTINGS, deadlineMs: T0 + 100 });

      // Assess
      expect(report.outcome).toBe("failed");
      expect(sleeps).toEqual([]);
    });
  });
});
