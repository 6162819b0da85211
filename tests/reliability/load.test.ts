/**
 * Load with faults, CI size: 1,000 events through emulator → local API Gateway → the production receiver →
 * the local AWS stand-ins in their own process, where the table's stream drives the production forwarder.
 * Duplicates, reordering, seeded late answers (applied, answered after the client gave up), resets,
 * throttling, partial PutEvents failures, a Secrets Manager outage and an EventBridge outage. The causal
 * oracle (support/oracle.ts) judges what reached the bus: nothing acknowledged may be lost, and an event may
 * be on the bus twice only where an earlier PutEvents of it was applied and its answer never delivered.
 */
import { CI_LOAD, type LoadReport, runLoad, summaryLine } from "../support/reliability/load";

describe("Reliability: delivery under load with faults", () => {
  let report: LoadReport;

  beforeAll(async () => {
    report = await runLoad(CI_LOAD);
    // The figures docs/reliability.md records; the same line `npm run stress` prints.
    process.stdout.write(`${summaryLine(report)}\n`);
  }, CI_LOAD.quiescenceCapMs + 60_000);

  it("loses nothing it answered 200 for: every such event is stored and on the bus", () => {
    // Assess
    expect(report.events).toBe(CI_LOAD.events);
    expect(report.verdict.acknowledgedNotStored).toEqual([]);
    expect(report.verdict.lost).toEqual([]);
    // None needed the failure queue and `reforward`: the stream's retries carried every record through.
    expect(report.givenUp).toEqual([]);
    expect(report.unknownForwarded).toBe(0);
  });

  it("puts an event on the bus twice only where an earlier PutEvents of it was applied but unacknowledged", () => {
    // Assess
    expect(report.verdict.unexplainedDoubles).toEqual([]);
    expect(report.forwarded).toBe(report.events + report.verdict.allowedDoubles.length);
  });

  it("reaches quiescence within the cap, every event acknowledged (reported apart from losses)", () => {
    // Assess: a slow machine fails here, never in the two tests above.
    expect(report.verdict.unfinished).toEqual([]);
    expect(report.notAcknowledged).toEqual([]);
    expect(report.quiesced).toBe(true);
  });

  it("answers nothing but 200 and 503, each 503 caused by an injected fault, a timeout or a reset", () => {
    // Assess: the emulator's own 10 s timeout (`error:timeout`) is a slow answer, allowed and counted.
    const answers = Object.keys(report.statuses).filter((status) => status !== "error:timeout");
    expect(answers.sort()).toEqual(["200", "503"]);
    expect(report.logged503).toBe(report.statuses["503"]);
    expect(report.unexplained503).toEqual([]);
    expect(report.logged500).toBe(0);
  });

  it("makes one PutItem per delivery it answers, so each acknowledged event costs about one write", () => {
    // Assess: duplicates and retries add PutItems, and nothing else reaches DynamoDB before a 200.
    expect(report.dynamoCallsPerEvent).toBeGreaterThanOrEqual(1);
    expect(report.dynamoCallsPerEvent).toBeLessThan(2);
  });

  it("really injected every kind of fault, the ambiguous ones included", () => {
    // Assess: bounds, not exact counts — which call meets which fault depends on the interleaving.
    const { dynamodb, eventbridge, eventBridgeOutage, eventBridgePartial, secrets } = report.faults;
    expect(eventBridgePartial).toBeGreaterThan(0);
    for (const fault of ["PutItem late", "PutItem reset", "PutItem throttle"])
      expect(dynamodb[fault]).toBeGreaterThan(0);
    for (const fault of ["PutEvents late", "PutEvents reset", "PutEvents throttle"])
      expect(eventbridge[fault]).toBeGreaterThan(0);
    expect(dynamodb["UpdateItem reset"]).toBeGreaterThan(0);
    // The outage was felt, and every event it refused was forwarded once EventBridge was back.
    expect(eventBridgeOutage).toBeGreaterThan(0);
    expect(report.outage.refused).toBeGreaterThan(0);
    expect(report.outage.forwardedAfter).toBe(report.outage.refused);
    expect(secrets.unavailable).toBeGreaterThan(0);
    expect(report.verdict.unacknowledgedPuts).toBeGreaterThan(0);
  });
});
