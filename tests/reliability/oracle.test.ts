/**
 * The causal oracle of the load suite on hand-made records: it allows exactly the doubles an applied,
 * unacknowledged PutEvents explains, and tells losses from unfinished deliveries.
 */
import type { CallRecord } from "../../local/fault-proxy";
import { judge, type OracleInput } from "../support/reliability/oracle";

function put(applied: string[], fields: Partial<CallRecord> = {}): CallRecord {
  return { seq: 1, operation: "PutEvents", keys: applied, applied, delivered: true, ms: 5, at: 0, ...fields };
}

const base: OracleInput = {
  acknowledged: new Set(["evt_a", "evt_b"]),
  stored: new Set(["evt_a", "evt_b"]),
  bus: ["evt_a", "evt_b"],
  putEventsCalls: [put(["evt_a"]), put(["evt_b"])],
  quiesced: true,
  lateAfterMs: 2_500,
};

describe("Function: judge", () => {
  it("passes a run where every acknowledged event is on the bus once", () => {
    // Act
    const verdict = judge(base);

    // Assess
    expect(verdict).toEqual({
      lost: [],
      unfinished: [],
      acknowledgedNotStored: [],
      allowedDoubles: [],
      unexplainedDoubles: [],
      unacknowledgedPuts: 0,
      latePuts: 0,
    });
  });

  it("allows one extra copy per applied PutEvents whose answer was not delivered", () => {
    // Prepare: evt_a's first put landed, its answer was lost, the forwarder resent it.
    const input = {
      ...base,
      bus: ["evt_a", "evt_a", "evt_b"],
      putEventsCalls: [put(["evt_a"], { delivered: false, fault: "late" }), put(["evt_a"]), put(["evt_b"])],
    };

    // Act
    const verdict = judge(input);

    // Assess
    expect(verdict.allowedDoubles).toEqual(["evt_a"]);
    expect(verdict.unexplainedDoubles).toEqual([]);
    expect(verdict.unacknowledgedPuts).toBe(1);
  });

  it("counts an answer delivered after the client's timeout as a possible cause", () => {
    // Prepare
    const input = {
      ...base,
      bus: ["evt_a", "evt_a", "evt_b"],
      putEventsCalls: [put(["evt_a"], { ms: 2_600 }), put(["evt_a"]), put(["evt_b"])],
    };

    // Act
    const verdict = judge(input);

    // Assess
    expect(verdict.allowedDoubles).toEqual(["evt_a"]);
    expect(verdict.latePuts).toBe(1);
  });

  it("fails a double without an unacknowledged applied put, and a third copy with only one", () => {
    // Prepare: evt_b doubled with clean answers; evt_a three times with one lost answer; a lost answer of a
    // put that applied nothing (a whole-call failure) explains nothing.
    const input = {
      ...base,
      bus: ["evt_a", "evt_a", "evt_a", "evt_b", "evt_b"],
      putEventsCalls: [
        put(["evt_a"], { delivered: false }),
        put(["evt_a"]),
        put(["evt_a"]),
        put([], { keys: ["evt_b"], delivered: false }),
        put(["evt_b"]),
        put(["evt_b"]),
      ],
    };

    // Act
    const verdict = judge(input);

    // Assess
    expect(verdict.allowedDoubles).toEqual(["evt_a"]);
    expect(verdict.unexplainedDoubles).toEqual(["evt_a", "evt_b"]);
  });

  it("tells a loss from an unfinished delivery and from an acknowledged event never stored", () => {
    // Prepare
    const input = {
      ...base,
      acknowledged: new Set(["evt_a", "evt_b", "evt_c"]),
      stored: new Set(["evt_a", "evt_b"]),
      bus: ["evt_a"],
      quiesced: false,
    };

    // Act
    const verdict = judge(input);

    // Assess: evt_b is stored and may still come; evt_c can never come.
    expect(verdict.unfinished).toEqual(["evt_b"]);
    expect(verdict.lost).toEqual(["evt_c"]);
    expect(verdict.acknowledgedNotStored).toEqual(["evt_c"]);
    expect(judge({ ...input, quiesced: true }).lost).toEqual(["evt_b", "evt_c"]);
  });
});
