import {
  ago,
  type Finding,
  overall,
  renderStatus,
  type StatusFacts,
  statusDocument,
  statusFindings,
} from "../../cli/status-findings";

const NOW = Date.parse("2026-12-01T18:00:00.000Z");
const URL_ = "https://abc.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets";
const HOOK = "wbh_0953534cf20f414098533680abd6b1c6";
const FORWARD_FAILURES = "https://sqs.eu-central-1.amazonaws.com/123456789012/lemon-forward-failures-0a1b2c3";

/** A stack where everything works. */
function healthy(): StatusFacts {
  return {
    stack: "dev",
    nowMs: NOW,
    windowHours: 24,
    expected: { url: URL_, events: ["order.executed", "account.created"], webhookId: HOOK },
    webhooks: { ok: true, value: [{ id: HOOK, url: URL_, events: ["account.created", "order.executed"] }] },
    receiver: {
      ok: true,
      value: {
        lastReceivedMs: NOW - 300_000,
        received: 12,
        stored: 11,
        duplicates: 1,
        rejected: 0,
        failed: 0,
      },
    },
    forwarder: { ok: true, value: { lastForwardedMs: NOW - 300_000, forwarded: 11, forwardFailed: 0 } },
    alarms: {
      ok: true,
      value: {
        names: ["lemon-api-5xx-0a1b2c3", "lemon-receiver-errors-0a1b2c3"],
        states: [
          { name: "lemon-api-5xx-0a1b2c3", state: "OK", reason: undefined, sinceMs: undefined },
          { name: "lemon-receiver-errors-0a1b2c3", state: "OK", reason: undefined, sinceMs: undefined },
        ],
      },
    },
    queues: [
      {
        label: "forward failures",
        url: FORWARD_FAILURES,
        depth: { ok: true, value: { visible: 0, inFlight: 0 } },
      },
    ],
    reconciler: {
      ok: true,
      value: { lastRunMs: NOW - 600_000, recovered: 0, failedRuns: 0, watermarkAgeSeconds: 420 },
    },
    dashboardUrl: undefined,
    missingOutputs: [],
  };
}

const notOk = (findings: readonly Finding[]) => findings.filter((f) => f.level !== "ok");

describe("Function: statusFindings", () => {
  it("finds nothing wrong on a healthy stack: every check OK", () => {
    // Act
    const findings = statusFindings(healthy());

    // Assess
    expect(findings).toEqual([
      { check: "webhook", level: "ok", summary: `${HOOK} delivers 2 event types to ${URL_}, as deployed` },
      {
        check: "last delivery",
        level: "ok",
        summary:
          "in the 5 min from 2026-12-01T17:55:00Z (5 min ago); 24 h: 12 received, 11 stored, 1 duplicate, 0 rejected, 0 failed",
      },
      {
        check: "last forwarded",
        level: "ok",
        summary:
          "in the 5 min from 2026-12-01T17:55:00Z (5 min ago); 24 h: 11 forwarded, 0 retried after a failed PutEvents",
      },
      { check: "alarms", level: "ok", summary: "none of 2 in ALARM" },
      { check: "dead-letter queues", level: "ok", summary: "forward failures: empty" },
      {
        check: "reconciler",
        level: "ok",
        summary:
          "last run in the 5 min from 2026-12-01T17:50:00Z (10 min ago); 24 h: 0 recovered; watermark lag 420 s",
      },
    ]);
    expect(overall(findings)).toBe("ok");
  });

  it("fails on missing event types and warns on extra ones", () => {
    // Prepare
    const facts = {
      ...healthy(),
      webhooks: {
        ok: true as const,
        value: [{ id: HOOK, url: URL_, events: ["order.executed", "order.rejected"] }],
      },
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "webhook",
        level: "fail",
        summary: `${HOOK} lacks account.created of the stack's events: lemon.markets does not deliver them; run pulumi up`,
      },
      {
        check: "webhook",
        level: "warn",
        summary: `${HOOK} also delivers order.rejected, not in the stack's events (stored and forwarded all the same)`,
      },
    ]);
    expect(overall(findings)).toBe("fail");
  });

  it("fails when the webhook points at another URL", () => {
    // Prepare
    const other = "https://old.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets";
    const facts = {
      ...healthy(),
      webhooks: {
        ok: true as const,
        value: [{ id: HOOK, url: other, events: ["order.executed", "account.created"] }],
      },
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "webhook",
        level: "fail",
        summary: `${HOOK} delivers to ${other}, but the stack's endpoint is ${URL_}; run pulumi up`,
      },
    ]);
  });

  it("fails when the stack's webhook is not registered at all", () => {
    // Prepare
    const facts = { ...healthy(), webhooks: { ok: true as const, value: [] } };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "webhook",
        level: "fail",
        summary: `no webhook ${HOOK} is registered at lemon.markets (0 other webhooks): nothing is delivered; run pulumi refresh then pulumi up to register it again`,
      },
    ]);
  });

  it("fails on an alarm in ALARM, naming it, its reason and since when", () => {
    // Prepare
    const facts = healthy();
    const alarms = {
      ok: true as const,
      value: {
        names: ["lemon-api-5xx-0a1b2c3", "lemon-receiver-errors-0a1b2c3"],
        states: [
          {
            name: "lemon-api-5xx-0a1b2c3",
            state: "ALARM",
            reason: "Threshold Crossed",
            sinceMs: NOW - 60_000,
          },
          { name: "lemon-receiver-errors-0a1b2c3", state: "OK", reason: undefined, sinceMs: undefined },
        ],
      },
    };

    // Act
    const findings = statusFindings({ ...facts, alarms });

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "alarms",
        level: "fail",
        summary: "lemon-api-5xx-0a1b2c3 in ALARM since 2026-12-01T17:59:00Z: Threshold Crossed",
      },
    ]);
  });

  it("fails on a non-empty dead-letter queue, with the command that drains the forward failures", () => {
    // Prepare
    const facts = {
      ...healthy(),
      queues: [
        {
          label: "forward failures",
          url: FORWARD_FAILURES,
          depth: { ok: true as const, value: { visible: 2, inFlight: 1 } },
        },
        {
          label: "subscription orders",
          url: "https://sqs/orders",
          depth: { ok: true as const, value: "missing" as const },
        },
      ],
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "dead-letter queues",
        level: "fail",
        summary:
          "forward failures: 3 messages: stored events the forwarder gave up on; run lemon-webhooks reforward --stack dev --from <time>, then purge the queue",
      },
      {
        check: "dead-letter queues",
        level: "fail",
        summary: "subscription orders: queue https://sqs/orders does not exist; run pulumi up",
      },
    ]);
  });

  it("only warns when nothing was delivered or forwarded in 24 h (a quiet account looks the same)", () => {
    // Prepare
    const facts = {
      ...healthy(),
      receiver: {
        ok: true as const,
        value: { lastReceivedMs: undefined, received: 0, stored: 0, duplicates: 0, rejected: 0, failed: 0 },
      },
      forwarder: { ok: true as const, value: { lastForwardedMs: undefined, forwarded: 0, forwardFailed: 0 } },
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings).map((f) => [f.check, f.level])).toEqual([
      ["last delivery", "warn"],
      ["last forwarded", "warn"],
    ]);
    expect(overall(findings)).toBe("warn");
  });

  it("warns on rejected or failed deliveries and on a second webhook to the same URL", () => {
    // Prepare
    const second = { id: "wbh_1111", url: URL_, events: ["order.executed", "account.created"] };
    const facts = {
      ...healthy(),
      webhooks: {
        ok: true as const,
        value: [{ id: HOOK, url: URL_, events: ["account.created", "order.executed"] }, second],
      },
      receiver: {
        ok: true as const,
        value: {
          lastReceivedMs: NOW - 60_000,
          received: 5,
          stored: 2,
          duplicates: 0,
          rejected: 2,
          failed: 1,
        },
      },
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "webhook",
        level: "warn",
        summary:
          "1 other webhook (wbh_1111) delivers to the same URL: each event arrives more than once (deduplicated, but delete the extra ones)",
      },
      {
        check: "last delivery",
        level: "warn",
        summary:
          "in the 5 min from 2026-12-01T17:59:00Z (1 min ago); 24 h: 5 received, 2 stored, 0 duplicates, 2 rejected, 1 failed: 2 rejected (wrong signature or body; see the receiver's log); 1 failed (answered 503; lemon.markets retries)",
      },
    ]);
    expect(overall(findings)).toBe("warn");
  });

  it("fails when events were stored but none forwarded", () => {
    // Prepare
    const facts = {
      ...healthy(),
      forwarder: { ok: true as const, value: { lastForwardedMs: undefined, forwarded: 0, forwardFailed: 4 } },
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual([
      {
        check: "last forwarded",
        level: "fail",
        summary:
          "11 events stored in 24 h but none forwarded: the forwarder is failing or not running; see its log, then lemon-webhooks reforward --stack dev",
      },
    ]);
  });

  it("warns on recovered events and fails on a reconciler that did not run", () => {
    // Prepare
    const recovered = {
      ...healthy(),
      reconciler: {
        ok: true as const,
        value: { lastRunMs: NOW - 60_000, recovered: 3, failedRuns: 0, watermarkAgeSeconds: 900 },
      },
    };
    const stopped = {
      ...healthy(),
      reconciler: {
        ok: true as const,
        value: { lastRunMs: undefined, recovered: 0, failedRuns: 0, watermarkAgeSeconds: undefined },
      },
    };

    // Act
    const [warned, failed] = [statusFindings(recovered), statusFindings(stopped)].map(notOk);

    // Assess
    expect([warned, failed]).toEqual([
      [
        {
          check: "reconciler",
          level: "warn",
          summary:
            "last run in the 5 min from 2026-12-01T17:59:00Z (1 min ago); 24 h: 3 recovered; watermark lag 900 s: recovered events were missed by webhook delivery",
        },
      ],
      [
        {
          check: "reconciler",
          level: "fail",
          summary: "no run in the last 24 h: its schedule is not invoking it (see its not-running alarm)",
        },
      ],
    ]);
  });

  it("fails every check it could not make, saying why", () => {
    // Prepare
    const denied = { ok: false as const, problem: "AccessDeniedException: needs cloudwatch:GetMetricData" };
    const facts = { ...healthy(), receiver: denied, forwarder: denied, reconciler: denied };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings)).toEqual(
      ["last delivery", "last forwarded", "reconciler"].map((check) => ({
        check,
        level: "fail",
        summary: "could not check: AccessDeniedException: needs cloudwatch:GetMetricData",
      })),
    );
  });

  it("warns about outputs an older stack does not export, and lists the dashboard as information", () => {
    // Prepare
    const facts = {
      ...healthy(),
      expected: { ...healthy().expected, events: undefined },
      alarms: undefined,
      queues: [],
      missingOutputs: ["forwardFailureQueueUrl"],
      reconciler: undefined,
      dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home#dashboards/dashboard/lemon",
    };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(notOk(findings).map((f) => [f.check, f.level])).toEqual([
      ["webhook", "warn"],
      ["alarms", "warn"],
      ["dead-letter queues", "warn"],
      ["reconciler", "info"],
      ["dashboard", "info"],
    ]);
    expect(overall(findings)).toBe("warn");
  });
});

describe("Function: statusFindings on an older stack", () => {
  it("warns that a stack with the reconciler on but no reconcilerFunctionName output was not checked", () => {
    // Prepare
    const facts = { ...healthy(), reconciler: undefined, missingOutputs: ["reconcilerFunctionName"] };

    // Act
    const findings = statusFindings(facts);

    // Assess
    expect(findings.filter((f) => f.check === "reconciler")).toEqual([
      {
        check: "reconciler",
        level: "warn",
        summary: "the stack exports no reconcilerFunctionName output, so it was not checked; run pulumi up",
      },
    ]);
  });
});

describe("Function: renderStatus and statusDocument", () => {
  it("prints aligned marks and checks and the result line", () => {
    // Prepare
    const findings: Finding[] = [
      { check: "webhook", level: "ok", summary: "fine" },
      { check: "dead-letter queues", level: "fail", summary: "full" },
      { check: "dashboard", level: "info", summary: "https://x" },
    ];

    // Act
    const lines = renderStatus({ stack: "dev", nowMs: NOW }, findings);

    // Assess
    expect(lines).toEqual([
      "Status of stack dev at 2026-12-01T18:00:00Z",
      "",
      "OK    webhook             fine",
      "FAIL  dead-letter queues  full",
      "INFO  dashboard           https://x",
      "",
      "Result: FAIL (1 failing check, 0 warnings)",
    ]);
  });

  it("gives machines the same findings, the result and the exit code", () => {
    // Prepare
    const findings: Finding[] = [{ check: "alarms", level: "warn", summary: "x" }];

    // Act
    const document = statusDocument({ stack: "dev", nowMs: NOW, dashboardUrl: "https://d" }, findings, 0);

    // Assess
    expect(document).toEqual({
      stack: "dev",
      checkedAt: "2026-12-01T18:00:00.000Z",
      result: "warn",
      exitCode: 0,
      findings,
      dashboardUrl: "https://d",
    });
  });

  it.each([
    [NOW - 40_000, "40 s ago"],
    [NOW - 5 * 60_000, "5 min ago"],
    [NOW - (3 * 60 + 4) * 60_000, "3 h 4 min ago"],
  ])("says how long ago %d was: %s", (then, text) => {
    // Act + Assess
    expect(ago(NOW, then)).toBe(text);
  });
});
