/**
 * The causal oracle of the load scenario. It judges what reached the bus against what the stand-ins recorded
 * happened, not against "exactly once":
 * - every event the receiver answered 200 for must be stored and, once the pipeline is idle, on the bus —
 *   otherwise it is **lost** (or **unfinished**, if the run hit its cap while the event was still on its way);
 * - an event may be on the bus k > 1 times only if at least k − 1 `PutEvents` calls that EventBridge applied
 *   to it had their answer not delivered (an injected late answer or reset, or a call the client abandoned),
 *   or delivered so late the client may already have given up: each such call is a reason for one resend.
 *   Any other extra copy is an **unexplained double**.
 * Pure: a function of the records, so it is tested on hand-made records too (oracle.test.ts).
 */
import type { CallRecord } from "../../../local/fault-proxy";

/** What the oracle reads. */
export interface OracleInput {
  /** Event ids the receiver answered 200 for (at least once). */
  readonly acknowledged: ReadonlySet<string>;
  /** Event ids in the table. */
  readonly stored: ReadonlySet<string>;
  /** `detail.id` of every bus entry. */
  readonly bus: readonly string[];
  /** The EventBridge fault proxy's record. */
  readonly putEventsCalls: readonly CallRecord[];
  /** False when the run hit its cap before the pipeline was idle. */
  readonly quiesced: boolean;
  /** A call answered after this many ms counts as maybe-undelivered (the client's timeout minus slack). */
  readonly lateAfterMs: number;
}

/** The verdict. */
export interface OracleVerdict {
  readonly lost: readonly string[];
  /** 200'd, stored, not on the bus yet when the cap hit: reported apart from losses. */
  readonly unfinished: readonly string[];
  /** 200'd but not in the table: the receiver's promise broken at its source. */
  readonly acknowledgedNotStored: readonly string[];
  /** Extra copies explained by an applied, unacknowledged `PutEvents`. */
  readonly allowedDoubles: readonly string[];
  /** Extra copies without such a cause. */
  readonly unexplainedDoubles: readonly string[];
  /** Applied `PutEvents` whose answer was not delivered (lost, reset, abandoned), and delivered late. */
  readonly unacknowledgedPuts: number;
  readonly latePuts: number;
}

/**
 * Judges one run.
 *
 * @example
 * const verdict = judge({ acknowledged, stored, bus, putEventsCalls, quiesced: true, lateAfterMs: 2_500 });
 * expect(verdict.lost).toEqual([]);
 */
export function judge(input: OracleInput): OracleVerdict {
  const copies = new Map<string, number>();
  for (const id of input.bus) copies.set(id, (copies.get(id) ?? 0) + 1);
  const reasons = new Map<string, number>();
  let unacknowledgedPuts = 0;
  let latePuts = 0;
  for (const call of input.putEventsCalls) {
    if (call.applied.length === 0) continue;
    const undelivered = !call.delivered;
    const late = call.delivered && call.ms >= input.lateAfterMs;
    if (!undelivered && !late) continue;
    if (undelivered) unacknowledgedPuts += 1;
    else latePuts += 1;
    for (const id of call.applied) reasons.set(id, (reasons.get(id) ?? 0) + 1);
  }
  const allowedDoubles: string[] = [];
  const unexplainedDoubles: string[] = [];
  for (const [id, count] of copies) {
    if (count <= 1) continue;
    const extra = count - 1;
    const explained = Math.min(extra, reasons.get(id) ?? 0);
    for (let i = 0; i < explained; i += 1) allowedDoubles.push(id);
    for (let i = explained; i < extra; i += 1) unexplainedDoubles.push(id);
  }
  const lost: string[] = [];
  const unfinished: string[] = [];
  const acknowledgedNotStored: string[] = [];
  for (const id of input.acknowledged) {
    if (!input.stored.has(id)) acknowledgedNotStored.push(id);
    if (copies.has(id)) continue;
    if (!input.quiesced && input.stored.has(id)) unfinished.push(id);
    else lost.push(id);
  }
  return {
    lost,
    unfinished,
    acknowledgedNotStored,
    allowedDoubles,
    unexplainedDoubles,
    unacknowledgedPuts,
    latePuts,
  };
}
