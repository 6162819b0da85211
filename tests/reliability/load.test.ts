/**
 * Load with faults, CI size: 2,000 events through emulator → local API Gateway → the production handler →
 * local AWS stand-ins, with duplicates, reordering and injected failures of every dependency. Nothing may be
 * lost, nothing forwarded twice, and every non-200 must be explained by an injected fault.
 */
import { CI_LOAD, type LoadReport, runLoad, summaryLine } from "./support/load";

describe("Reliability: delivery under load with faults", () => {
  let report: LoadReport;

  beforeAll(async () => {
    report = await runLoad(CI_LOAD);
    // The figures docs/reliability.md records; the same line `npm run stress` prints.
    process.stdout.write(`${summaryLine(report)}\n`);
  }, 120_000);

  it("forwards every emitted event exactly once despite duplicates, reordering and faults", () => {
    // Assess
    expect(report.events).toBe(2_000);
    expect(report.lost).toEqual([]);
    expect(report.doubleForwarded).toEqual([]);
    expect(report.unknownForwarded).toBe(0);
    expect(report.forwarded).toBe(2_000);
  });

  it("ends every scheduled delivery, duplicate copies included, with exactly one 200", () => {
    // Assess: the seeded emulator schedules the same 392 extra copies every run.
    expect(report.duplicates).toBe(392);
    expect(report.statuses["200"]).toBe(2_000 + 392);
  });

  it("answers nothing but 200, 409 for in-flight duplicates and 503 for injected faults", () => {
    // Assess
    expect(Object.keys(report.statuses).sort()).toEqual(["200", "409", "503"]);
    expect(report.logged503).toBe(report.statuses["503"]);
    expect(report.logged409).toBe(report.statuses["409"]);
    expect(report.unexplained503).toEqual([]);
    expect(report.logged500).toBe(0);
  });

  it("answers no 503 for a dependency call that timed out", () => {
    // Assess: a timed-out PutEvents may have been accepted, and its retry would forward the event twice, so a
    // timeout is not "explained" like an injected fault. The local stand-ins answer in milliseconds, far
    // inside the receiver's per-call timeout, so any timeout here is a real hang worth failing on.
    expect(report.timeout503).toEqual([]);
  });

  it("really injected every kind of fault while it ran", () => {
    // Assess: bounds, not exact counts — which call meets which fault depends on the interleaving.
    expect(report.faults.sink.unavailable).toBeGreaterThan(50);
    expect(report.faults.sink.partial).toBeGreaterThan(50);
    const dedupe = report.faults.dedupe;
    expect(Object.keys(dedupe).sort()).toEqual(["DeleteItem", "GetItem", "PutItem", "UpdateItem"]);
    expect(report.faults.secrets.unavailable).toBeGreaterThan(0);
    expect(report.statuses["503"]).toBeGreaterThan(200);
  });
});
