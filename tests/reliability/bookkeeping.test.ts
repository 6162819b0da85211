/**
 * Regression test for what the load run found: a single throttled bookkeeping write after forwarding
 * (the release after a failed forward, the done mark after a successful one) used to strand the event for
 * the whole claim lease (release) or let a concurrent duplicate forward it again after the lease (done mark).
 * lemon.markets' retry cannot repair either, so `forwardOnce` retries those two writes itself.
 */
import { DependencyUnavailableError } from "../../lambda/errors";
import { BOOKKEEPING_ATTEMPTS, type ForwardNote, forwardOnce } from "../../lambda/forward-once";
import type { ClaimResult, DedupeStore, EventSink, ForwardableEvent } from "../../lambda/ports";

const EVENT: ForwardableEvent = {
  id: "evt_bookkeeping0001",
  type: "order.executed",
  createdAt: "2023-06-29T14:40:30.523373+00:00",
  json: '{"id":"evt_bookkeeping0001"}',
};

/** Claim semantics of the DynamoDB store (no lease expiry); the first `throttle*` writes throw. */
class FlakyDedupe implements DedupeStore {
  readonly items = new Map<string, { status: "pending" | "done"; token: string }>();
  readonly calls: string[] = [];
  throttleCompletes = 0;
  throttleReleases = 0;
  private issued = 0;

  async claim(eventId: string): Promise<ClaimResult> {
    this.calls.push("claim");
    const item = this.items.get(eventId);
    if (item?.status === "done") return { outcome: "done" };
    if (item?.status === "pending") return { outcome: "in-flight", retryAfterSeconds: 5 };
    this.issued += 1;
    const token = `t${this.issued}`;
    this.items.set(eventId, { status: "pending", token });
    return { outcome: "claimed", token };
  }

  async complete(eventId: string, token: string): Promise<void> {
    this.calls.push("complete");
    if (this.throttleCompletes > 0) {
      this.throttleCompletes -= 1;
      throw new DependencyUnavailableError("dynamodb", "ProvisionedThroughputExceededException");
    }
    if (this.items.get(eventId)?.token === token) this.items.set(eventId, { status: "done", token });
  }

  async release(eventId: string, token: string): Promise<void> {
    this.calls.push("release");
    if (this.throttleReleases > 0) {
      this.throttleReleases -= 1;
      throw new DependencyUnavailableError("dynamodb", "ProvisionedThroughputExceededException");
    }
    if (this.items.get(eventId)?.token === token) this.items.delete(eventId);
  }
}

class Sink implements EventSink {
  readonly forwarded: string[] = [];
  failNext = 0;
  async forward(event: ForwardableEvent): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError("eventbridge", "InternalFailure");
    }
    this.forwarded.push(event.id);
  }
}

function setup() {
  const dedupe = new FlakyDedupe();
  const sink = new Sink();
  const notes: ForwardNote[] = [];
  const run = () => forwardOnce({ dedupe, sink, clock: { now: () => 0 } }, EVENT, (note) => notes.push(note));
  return { dedupe, sink, notes, run };
}

describe("Function: forwardOnce bookkeeping under throttling", () => {
  it("marks a forwarded event done despite a throttled done mark, so a duplicate is not forwarded again", async () => {
    // Prepare
    const { dedupe, sink, notes, run } = setup();
    dedupe.throttleCompletes = 1;

    // Act
    const first = await run();
    const duplicate = await run();

    // Assess
    expect([first, duplicate]).toEqual(["forwarded", "duplicate"]);
    expect(sink.forwarded).toEqual([EVENT.id]);
    expect(dedupe.calls).toEqual(["claim", "complete", "complete", "claim"]);
    expect(notes).toEqual([]);
  });

  it("gives the claim back despite a throttled release, so the sender's retry forwards the event at once", async () => {
    // Prepare
    const { dedupe, sink, notes, run } = setup();
    sink.failNext = 1;
    dedupe.throttleReleases = 2;

    // Act
    const failed = await run().catch((error: unknown) => error);
    const retried = await run();

    // Assess
    expect(failed).toBeInstanceOf(DependencyUnavailableError);
    expect(retried).toBe("forwarded");
    expect(sink.forwarded).toEqual([EVENT.id]);
    expect(dedupe.calls).toEqual(["claim", "release", "release", "release", "claim", "complete"]);
    expect(notes).toEqual([]);
  });

  it("gives up after a bounded number of tries and notes the failed done mark, still answering forwarded", async () => {
    // Prepare
    const { dedupe, sink, notes, run } = setup();
    dedupe.throttleCompletes = BOOKKEEPING_ATTEMPTS;

    // Act
    const outcome = await run();

    // Assess
    expect(outcome).toBe("forwarded");
    expect(sink.forwarded).toEqual([EVENT.id]);
    expect(dedupe.calls.filter((call) => call === "complete")).toHaveLength(4);
    expect(notes).toEqual(["complete_failed"]);
  });
});
