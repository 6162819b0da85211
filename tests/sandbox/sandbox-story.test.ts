import type { DeliveryAttempt, LemonEvent } from "../../emulator";
import { parseReceiverLog, type ReceiverLogRecord } from "../../sandbox/lambda-process";
import type { ForwardedEvent } from "../../sandbox/start";
import {
  curlCommands,
  describeAttempt,
  describeOutcomes,
  describeReceiverOutcome,
} from "../../sandbox/story";
import { findProblems, pairOutcomes } from "../../sandbox/walkthrough";

const EVT = "evt_a8b11a37eccc49ecacb372e3a92a184d";
const EVT2 = "evt_0953534cf20f414098533680abd6b1c6";
const ACCOUNT = "cusa_33531f7f801d4ce997747470ab7208fd";

function attempt(overrides: Partial<DeliveryAttempt>): DeliveryAttempt {
  return {
    eventId: EVT,
    webhookId: "wbh_1",
    attempt: 1,
    status: 200,
    durationMs: 12,
    duplicate: false,
    at: 0,
    ...overrides,
  };
}

function log(overrides: Partial<ReceiverLogRecord>): ReceiverLogRecord {
  return {
    level: "info",
    status: 200,
    outcome: "stored",
    eventId: EVT,
    eventType: "account.created",
    ...overrides,
  };
}

const FORWARDED: ForwardedEvent = {
  id: EVT,
  type: "account.created",
  createdAt: "2023-06-29T14:40:30.523373+00:00",
  context: { account: ACCOUNT },
  detailType: "account.created",
  source: "lemon.markets",
  eventBusName: "bus",
};

const EVENT: LemonEvent = {
  id: EVT,
  type: "account.created",
  created_at: "2023-06-29T14:40:30.523373+00:00",
  context: { account: ACCOUNT },
};

describe("Function: parseReceiverLog", () => {
  it("reads a request log line of the receiver", () => {
    // Prepare
    const line = JSON.stringify({
      level: "info",
      timestamp: "2026-01-01T00:00:00.000Z",
      msg: "delivery",
      status: 200,
      eventId: EVT,
      eventType: "account.created",
      requestId: "r1",
      latencyMs: 7,
      outcome: "duplicate",
    });

    // Act
    const record = parseReceiverLog(line);

    // Assess
    expect(record).toEqual({
      level: "info",
      status: 200,
      outcome: "duplicate",
      eventId: EVT,
      eventType: "account.created",
      latencyMs: 7,
    });
  });

  it.each([
    ["an EMF metrics line", JSON.stringify({ _aws: { Timestamp: 1 }, Service: "x", Received: 1 })],
    [
      "a setup failure line",
      JSON.stringify({ level: "error", msg: "receiver setup failed", outcome: "misconfigured" }),
    ],
    ["plain text", "START RequestId: 1"],
    ["a JSON array", "[1,2]"],
    ["a delivery line without status", JSON.stringify({ msg: "delivery", outcome: "forwarded" })],
  ])("ignores %s", (_label, line) => {
    // Act
    const record = parseReceiverLog(line);

    // Assess
    expect(record).toBeUndefined();
  });
});

describe("Function: pairOutcomes", () => {
  it("pairs attempts with log lines per event id in order, and id-less rejections with the attempts left over", () => {
    // Prepare
    const attempts = [
      attempt({ eventId: EVT, status: 401 }),
      attempt({ eventId: EVT2, status: 200 }),
      attempt({ eventId: EVT, status: 200, attempt: 2 }),
      attempt({ eventId: EVT2, status: undefined, error: "timeout", duplicate: true }),
    ];
    const rejected = log({
      status: 401,
      outcome: "rejected",
      eventId: undefined,
      eventType: undefined,
      rejectReason: "signature",
    });
    const logs = [rejected, log({ eventId: EVT2, eventType: "order.created" }), log({ eventId: EVT })];

    // Act
    const outcomes = pairOutcomes(attempts, logs, (id) => (id === EVT ? "account.created" : "order.created"));

    // Assess
    expect(outcomes).toEqual([
      { attempt: attempts[0], eventType: "account.created", receiver: rejected },
      { attempt: attempts[1], eventType: "order.created", receiver: logs[1] },
      { attempt: attempts[2], eventType: "account.created", receiver: logs[2] },
      { attempt: attempts[3], eventType: "order.created" },
    ]);
  });
});

describe("Function: findProblems", () => {
  it("finds nothing wrong when each expected event was forwarded once and acknowledged", () => {
    // Act
    const problems = findProblems(
      [EVENT],
      [{ attempt: attempt({}), eventType: "account.created" }],
      [FORWARDED],
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it("names an event forwarded twice, one never acknowledged, and one nobody expected", () => {
    // Prepare
    const other: ForwardedEvent = { ...FORWARDED, id: EVT2, type: "order.created" };
    const outcomes = [{ attempt: attempt({ status: 503 }), eventType: "account.created" }];

    // Act
    const problems = findProblems([EVENT], outcomes, [FORWARDED, FORWARDED, other]);

    // Assess
    expect(problems).toEqual([
      `account.created ${EVT} reached EventBridge 2 times instead of once`,
      `account.created ${EVT} was never acknowledged with 200`,
      `unexpected event on the bus: order.created ${EVT2}`,
    ]);
  });
});

describe("Function: describeOutcomes", () => {
  it("tells a delivery, its forward, the redelivery and its dedupe", () => {
    // Prepare
    const outcomes = [
      { attempt: attempt({ durationMs: 31 }), eventType: "account.created", receiver: log({}) },
      {
        attempt: attempt({ durationMs: 6, duplicate: true }),
        eventType: "account.created",
        receiver: log({ outcome: "duplicate" }),
      },
    ];

    // Act
    const lines = describeOutcomes(outcomes, [FORWARDED], "bus");

    // Assess
    expect(lines).toEqual([
      `→ delivery of ${EVT} (account.created): HTTP 200 in 31 ms`,
      `✔ signature verified, stored (200); the stream's forwarder put it on EventBridge bus bus: account.created ${EVT} account ${ACCOUNT}`,
      `→ redelivery of ${EVT} (account.created), the same event once more as lemon.markets may send it: HTTP 200 in 6 ms`,
      `✔ signature verified, deduplicated: ${EVT} was already stored, so it is neither stored nor forwarded again`,
    ]);
  });

  it("tells a retry that got no answer, without a receiver line", () => {
    // Prepare
    const outcome = {
      attempt: attempt({ attempt: 3, status: undefined, error: "timeout", durationMs: 10000 }),
      eventType: "account.created",
    };

    // Act
    const lines = describeOutcomes([outcome], [], "bus");

    // Assess
    expect(lines).toEqual([
      `→ delivery of ${EVT} (account.created), retry 2: no answer (timeout) in 10000 ms`,
    ]);
    expect(describeAttempt(outcome)).toBe(lines[0]);
  });

  it.each([
    [
      log({ status: 200, outcome: "stored", eventId: "evt_notyetonthebus" }),
      "✔ signature verified, stored account.created evt_notyetonthebus (answered 200; the stream forwards it)",
    ],
    [log({ status: 401, outcome: "rejected", rejectReason: "signature" }), "✖ rejected with 401 (signature)"],
    [log({ status: 503, outcome: "unavailable" }), "✖ answered 503 (unavailable): lemon.markets retries"],
  ])("tells the receiver's %j as %j", (record, line) => {
    // Act
    const text = describeReceiverOutcome(record, [FORWARDED], "bus");

    // Assess
    expect(text).toBe(line);
  });
});

describe("Function: curlCommands", () => {
  it("targets the emulator's admin routes and the receiver, with no Authorization header", () => {
    // Act
    const lines = curlCommands(
      "http://127.0.0.1:4000/v1",
      "http://127.0.0.1:5000/webhooks/lemon-markets",
      "account.created",
      ACCOUNT,
    );

    // Assess
    expect(lines.filter((line) => line.startsWith("curl "))).toEqual([
      `curl -s -X POST http://127.0.0.1:4000/_emulator/events -H 'Content-Type: application/json' -d '{"type":"account.created","context":{"account":"${ACCOUNT}"}}'`,
      "curl -s http://127.0.0.1:4000/_emulator/deliveries",
      `curl -s -i -X POST http://127.0.0.1:5000/webhooks/lemon-markets -H 'Content-Type: application/json' -d '{"id":"evt_00000000000000000000000000000000","type":"account.created","created_at":"2023-06-29T14:40:30.523373+00:00","context":{"account":"${ACCOUNT}"}}'`,
    ]);
    expect(lines.some((line) => /authorization/i.test(line))).toBe(false);
  });
});
