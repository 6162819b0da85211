/**
 * What `lemon-webhooks status` concludes from what it read, and how it prints it. Pure: facts in, findings
 * and text out (cli/status.ts does the reading).
 *
 * Policy (also in `status --help` and docs/operations.md): FAIL is "broken, or not known to work": the
 * webhook missing, pointing elsewhere or lacking a stack event type; events stored but none forwarded; an
 * alarm in ALARM; a message in a dead-letter queue; an enabled reconciler without a run in 24 h; any check
 * that could not be made. WARN is "look at it, but it may be fine": no delivery or forward in 24 h (a quiet
 * account looks the same), rejected or failed deliveries, extra event types, a second webhook to the same
 * URL, events recovered by the reconciler, failed reconciler runs, an output the stack does not export yet.
 */
import { METRIC_PERIOD_SECONDS } from "../contract/metrics";

/** How bad a finding is. */
export type Level = "ok" | "info" | "warn" | "fail";

/** The checks, in the order they are printed. */
export const CHECKS = [
  "webhook",
  "last delivery",
  "last forwarded",
  "alarms",
  "dead-letter queues",
  "reconciler",
  "dashboard",
] as const;
export type Check = (typeof CHECKS)[number];

/** One line of the report. */
export interface Finding {
  readonly check: Check;
  readonly level: Level;
  readonly summary: string;
}

/** A fact that was read, or why it could not be. */
export type Read<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/** A webhook as `GET /v1/webhooks` lists it (the secret is never carried here). */
export interface RegisteredWebhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
}

/** The receiver's counters over the window. */
export interface ReceiverFigures {
  /** Newest 5-minute period with a delivery, epoch ms. */
  readonly lastReceivedMs: number | undefined;
  readonly received: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly failed: number;
}

/** The forwarder's counters over the window. */
export interface ForwarderFigures {
  /** Newest 5-minute period with a forwarded event, epoch ms. */
  readonly lastForwardedMs: number | undefined;
  readonly forwarded: number;
  readonly forwardFailed: number;
}

/** An alarm's state. */
export interface AlarmState {
  readonly name: string;
  readonly state: string;
  readonly reason: string | undefined;
  readonly sinceMs: number | undefined;
}

/** A queue's depth. */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
}

/** A dead-letter queue of the stack and its depth. */
export interface QueueFact {
  /** `forward failures`, or `subscription <name>`. */
  readonly label: string;
  readonly url: string;
  readonly depth: Read<QueueDepth | "missing">;
}

/** The reconciler's figures over the window. */
export interface ReconcilerFigures {
  /** Newest 5-minute period with a run, epoch ms. */
  readonly lastRunMs: number | undefined;
  readonly recovered: number;
  readonly failedRuns: number;
  /** `WatermarkAgeSeconds` of the newest period that has it. */
  readonly watermarkAgeSeconds: number | undefined;
}

/** Everything status read about one stack. */
export interface StatusFacts {
  readonly stack: string;
  readonly nowMs: number;
  /** The window the metrics cover, hours. */
  readonly windowHours: number;
  /** The stack's `endpointUrl`, `events` (absent on a stack deployed before the output) and `webhookId`. */
  readonly expected: {
    readonly url: string;
    readonly events: readonly string[] | undefined;
    readonly webhookId: string | undefined;
  };
  readonly webhooks: Read<readonly RegisteredWebhook[]>;
  readonly receiver: Read<ReceiverFigures>;
  readonly forwarder: Read<ForwarderFigures>;
  /** Undefined: the stack exports no `alarmNames`. */
  readonly alarms:
    | Read<{ readonly names: readonly string[]; readonly states: readonly AlarmState[] }>
    | undefined;
  /** The forwarder's failure queue and each subscription's dead-letter queue. */
  readonly queues: readonly QueueFact[];
  /** Undefined: no reconciler deployed, or (see `missingOutputs`) none named by the stack's outputs. */
  readonly reconciler: Read<ReconcilerFigures> | undefined;
  readonly dashboardUrl: string | undefined;
  /** Outputs this version reads that the stack does not export (redeploy to get them). */
  readonly missingOutputs: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const STATUS_PERIOD_MINUTES = METRIC_PERIOD_SECONDS / 60;

/**
 * When a metric last had a datapoint: CloudWatch answers per period, so the time is the start of the 5-minute
 * period it fell in, and says so ("in the 5 min from 2026-12-01T17:55:00Z (5 min ago)").
 */
function inPeriod(nowMs: number, startMs: number): string {
  return `in the ${STATUS_PERIOD_MINUTES} min from ${iso(startMs)} (${ago(nowMs, startMs)})`;
}

/** "40 s ago", "5 min ago", "3 h 4 min ago". */
export function ago(nowMs: number, thenMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const worst = (...levels: Level[]): Level =>
  levels.includes("fail") ? "fail" : levels.includes("warn") ? "warn" : levels.includes("ok") ? "ok" : "info";
const cannot = (check: Check, problem: string): Finding => ({
  check,
  level: "fail",
  summary: `could not check: ${problem}`,
});

function webhookFindings(facts: StatusFacts): Finding[] {
  if (!facts.webhooks.ok) return [cannot("webhook", facts.webhooks.problem)];
  const { url, events, webhookId } = facts.expected;
  const all = facts.webhooks.value;
  const hook = webhookId === undefined ? all.find((w) => w.url === url) : all.find((w) => w.id === webhookId);
  if (hook === undefined) {
    const which = webhookId === undefined ? `for ${url}` : webhookId;
    return [
      {
        check: "webhook",
        level: "fail",
        summary: `no webhook ${which} is registered at lemon.markets (${plural(all.length, "other webhook")}): nothing is delivered; run pulumi refresh then pulumi up to register it again`,
      },
    ];
  }
  const findings: Finding[] = [];
  if (hook.url !== url) {
    findings.push({
      check: "webhook",
      level: "fail",
      summary: `${hook.id} delivers to ${hook.url}, but the stack's endpoint is ${url}; run pulumi up`,
    });
  }
  const registered = new Set(hook.events);
  const wanted = new Set(events ?? hook.events);
  const missing = [...wanted].filter((e) => !registered.has(e));
  const extra = [...registered].filter((e) => !wanted.has(e));
  if (missing.length > 0) {
    findings.push({
      check: "webhook",
      level: "fail",
      summary: `${hook.id} lacks ${missing.join(", ")} of the stack's events: lemon.markets does not deliver them; run pulumi up`,
    });
  }
  if (extra.length > 0) {
    findings.push({
      check: "webhook",
      level: "warn",
      summary: `${hook.id} also delivers ${extra.join(", ")}, not in the stack's events (stored and forwarded all the same)`,
    });
  }
  const others = all.filter((w) => w.id !== hook.id && w.url === hook.url);
  if (others.length > 0) {
    findings.push({
      check: "webhook",
      level: "warn",
      summary: `${plural(others.length, "other webhook")} (${others.map((w) => w.id).join(", ")}) ${others.length === 1 ? "delivers" : "deliver"} to the same URL: each event arrives more than once (deduplicated, but delete the extra ones)`,
    });
  }
  if (events === undefined) {
    findings.push({
      check: "webhook",
      level: "warn",
      summary: "the stack exports no events output, so its event types were not compared; run pulumi up",
    });
  }
  if (findings.every((f) => f.level !== "fail")) {
    findings.unshift({
      check: "webhook",
      level: "ok",
      summary: `${hook.id} delivers ${plural(hook.events.length, "event type")} to ${hook.url}, as deployed`,
    });
  }
  return findings;
}

function deliveryFinding(facts: StatusFacts): Finding {
  if (!facts.receiver.ok) return cannot("last delivery", facts.receiver.problem);
  const r = facts.receiver.value;
  const counts = `${facts.windowHours} h: ${r.received} received, ${r.stored} stored, ${plural(r.duplicates, "duplicate")}, ${r.rejected} rejected, ${r.failed} failed`;
  if (r.lastReceivedMs === undefined) {
    return {
      check: "last delivery",
      level: "warn",
      summary: `none in the last ${facts.windowHours} h (a quiet account, or lemon.markets cannot reach the endpoint)`,
    };
  }
  const troubles = [
    ...(r.rejected > 0 ? [`${r.rejected} rejected (wrong signature or body; see the receiver's log)`] : []),
    ...(r.failed > 0 ? [`${r.failed} failed (answered 503; lemon.markets retries)`] : []),
  ];
  return {
    check: "last delivery",
    level: troubles.length > 0 ? "warn" : "ok",
    summary: `${inPeriod(facts.nowMs, r.lastReceivedMs)}; ${counts}${troubles.length > 0 ? `: ${troubles.join("; ")}` : ""}`,
  };
}

function forwardFinding(facts: StatusFacts): Finding {
  if (!facts.forwarder.ok) return cannot("last forwarded", facts.forwarder.problem);
  const f = facts.forwarder.value;
  const stored = facts.receiver.ok ? facts.receiver.value.stored : 0;
  if (f.lastForwardedMs === undefined) {
    return stored > 0
      ? {
          check: "last forwarded",
          level: "fail",
          summary: `${plural(stored, "event")} stored in ${facts.windowHours} h but none forwarded: the forwarder is failing or not running; see its log, then lemon-webhooks reforward --stack ${facts.stack}`,
        }
      : { check: "last forwarded", level: "warn", summary: `none in the last ${facts.windowHours} h` };
  }
  return {
    check: "last forwarded",
    level: f.forwardFailed > 0 ? "warn" : "ok",
    summary: `${inPeriod(facts.nowMs, f.lastForwardedMs)}; ${facts.windowHours} h: ${f.forwarded} forwarded, ${f.forwardFailed} retried after a failed PutEvents`,
  };
}

function alarmFindings(facts: StatusFacts): Finding[] {
  if (facts.alarms === undefined) {
    return [
      {
        check: "alarms",
        level: "warn",
        summary: "the stack exports no alarmNames output, so no alarm was checked; run pulumi up",
      },
    ];
  }
  if (!facts.alarms.ok) return [cannot("alarms", facts.alarms.problem)];
  const { names, states } = facts.alarms.value;
  const firing = states.filter((a) => a.state === "ALARM");
  const found = new Set(states.map((a) => a.name));
  const unknown = names.filter((n) => !found.has(n));
  const findings: Finding[] = firing.map((a) => ({
    check: "alarms",
    level: "fail",
    summary: `${a.name} in ALARM${a.sinceMs === undefined ? "" : ` since ${iso(a.sinceMs)}`}${a.reason === undefined ? "" : `: ${a.reason}`}`,
  }));
  if (unknown.length > 0) {
    findings.push({
      check: "alarms",
      level: "warn",
      summary: `not found in CloudWatch: ${unknown.join(", ")} (deleted by hand? run pulumi up)`,
    });
  }
  if (firing.length === 0) {
    const insufficient = states.filter((a) => a.state === "INSUFFICIENT_DATA").length;
    findings.unshift({
      check: "alarms",
      level: "ok",
      summary: `none of ${names.length} in ALARM${insufficient > 0 ? ` (${insufficient} with insufficient data)` : ""}`,
    });
  }
  return findings;
}

function queueFinding(facts: StatusFacts, queue: QueueFact): Finding {
  const check = "dead-letter queues" as const;
  if (!queue.depth.ok) return cannot(check, `${queue.label} (${queue.url}): ${queue.depth.problem}`);
  if (queue.depth.value === "missing") {
    return {
      check,
      level: "fail",
      summary: `${queue.label}: queue ${queue.url} does not exist; run pulumi up`,
    };
  }
  const { visible, inFlight } = queue.depth.value;
  const total = visible + inFlight;
  if (total === 0) return { check, level: "ok", summary: `${queue.label}: empty` };
  const fix =
    queue.label === "forward failures"
      ? `stored events the forwarder gave up on; run lemon-webhooks reforward --stack ${facts.stack} --from <time>, then purge the queue`
      : "events the subscription's target did not accept; fix the target, then redrive the queue";
  return { check, level: "fail", summary: `${queue.label}: ${plural(total, "message")}: ${fix}` };
}

function reconcilerFinding(facts: StatusFacts): Finding {
  if (facts.reconciler === undefined) {
    return {
      check: "reconciler",
      level: "info",
      summary: "not deployed (lemon-webhooks:reconciler is false)",
    };
  }
  if (!facts.reconciler.ok) return cannot("reconciler", facts.reconciler.problem);
  const r = facts.reconciler.value;
  if (r.lastRunMs === undefined) {
    return {
      check: "reconciler",
      level: "fail",
      summary: `no run in the last ${facts.windowHours} h: its schedule is not invoking it (see its not-running alarm)`,
    };
  }
  const lag =
    r.watermarkAgeSeconds === undefined ? "no watermark yet" : `watermark lag ${r.watermarkAgeSeconds} s`;
  const troubles: Level[] = [r.recovered > 0 ? "warn" : "ok", r.failedRuns > 0 ? "warn" : "ok"];
  const notes = [
    ...(r.recovered > 0 ? ["recovered events were missed by webhook delivery"] : []),
    ...(r.failedRuns > 0 ? [`${plural(r.failedRuns, "failed run")} (see its log)`] : []),
  ];
  return {
    check: "reconciler",
    level: worst(...troubles),
    summary: `last run ${inPeriod(facts.nowMs, r.lastRunMs)}; ${facts.windowHours} h: ${r.recovered} recovered; ${lag}${notes.length > 0 ? `: ${notes.join("; ")}` : ""}`,
  };
}

/**
 * The findings, in {@link CHECKS} order.
 *
 * @example
 * const findings = statusFindings(facts);
 * const code = overall(findings) === "fail" ? STATUS_EXIT.unhealthy : STATUS_EXIT.ok;
 */
export function statusFindings(facts: StatusFacts): Finding[] {
  const findings: Finding[] = [
    ...webhookFindings(facts),
    deliveryFinding(facts),
    forwardFinding(facts),
    ...alarmFindings(facts),
    ...facts.queues.map((queue) => queueFinding(facts, queue)),
    // An older stack with a reconciler but no reconcilerFunctionName output gets the missing-output warning.
    ...(facts.missingOutputs.includes("reconcilerFunctionName") ? [] : [reconcilerFinding(facts)]),
  ];
  for (const output of facts.missingOutputs) {
    findings.push({
      check: output === "forwardFailureQueueUrl" ? "dead-letter queues" : "reconciler",
      level: "warn",
      summary: `the stack exports no ${output} output, so it was not checked; run pulumi up`,
    });
  }
  if (facts.dashboardUrl !== undefined) {
    findings.push({ check: "dashboard", level: "info", summary: facts.dashboardUrl });
  }
  return findings.sort((a, b) => CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check));
}

/** The worst level among `findings` that counts: fail, else warn, else ok. */
export function overall(findings: readonly Finding[]): "ok" | "warn" | "fail" {
  const level = worst(...findings.map((f) => f.level));
  return level === "info" ? "ok" : level;
}

const MARKS: Readonly<Record<Level, string>> = { ok: "OK", info: "INFO", warn: "WARN", fail: "FAIL" };

/** The human report: a title, one aligned line per finding, the result. */
export function renderStatus(
  facts: Pick<StatusFacts, "stack" | "nowMs">,
  findings: readonly Finding[],
): string[] {
  const width = Math.max(...CHECKS.map((c) => c.length)) + 2;
  const result = overall(findings);
  const count = (level: Level) => findings.filter((f) => f.level === level).length;
  return [
    `Status of stack ${facts.stack} at ${iso(facts.nowMs)}`,
    "",
    ...findings.map((f) => `${MARKS[f.level].padEnd(6)}${f.check.padEnd(width)}${f.summary}`),
    "",
    `Result: ${MARKS[result]} (${plural(count("fail"), "failing check")}, ${plural(count("warn"), "warning")})`,
  ];
}

/** The `--json` document. */
export function statusDocument(
  facts: Pick<StatusFacts, "stack" | "nowMs" | "dashboardUrl">,
  findings: readonly Finding[],
  exitCode: number,
): object {
  return {
    stack: facts.stack,
    checkedAt: new Date(facts.nowMs).toISOString(),
    result: overall(findings),
    exitCode,
    findings,
    ...(facts.dashboardUrl === undefined ? {} : { dashboardUrl: facts.dashboardUrl }),
  };
}
