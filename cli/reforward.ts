/**
 * `lemon-webhooks reforward`: puts on the bus what was stored but never forwarded. The table is the source
 * of truth (every 200 stored its event there first); the forwarder marks `forwardedAtMs` after EventBridge
 * accepted an event, so an item without it in the window is one the stream did not get through: the
 * forwarder gave up on its record (retries or record age exhausted; the failure queue holds the pointer) or
 * the stream's 24 h retention passed while the forwarder was failing.
 *
 * Scan with a filter (kind = event, receivedAtMs in the window, no forwardedAtMs), page by page; then the
 * forwarder's own publisher (≤ 10 entries, ≤ 256 KB per `PutEvents`, every entry checked) and mark. Stack
 * outputs are read without `--show-secrets`: nothing secret is needed.
 */

import {
  type Image,
  parseStoredEvent,
  STORED_EVENT_ATTRIBUTES,
  STORED_EVENT_KIND,
  type StoredEvent,
} from "../contract/events-table";
import { EventBridgePublisher } from "../lambda/aws/event-sink";
import { markForwarded } from "../lambda/aws/event-store";
import type { AwsJsonClient } from "../lambda/aws/json-client";
import { cliAwsClient, stackRegion } from "./aws";
import { REFORWARD_EXIT, type ReforwardOptions } from "./reforward-args";
import type { CliIo } from "./send-test-event";
import { SetupError, stackOutputs } from "./stack";

/** The warning printed before anything is sent. */
export const REFORWARD_WARNING =
  "Warning: consumers receive these events again if they had them by another way; they must be idempotent on detail.id.";

/** The table's events in the window that carry no `forwardedAtMs`, oldest stored first. */
export async function unforwardedEvents(
  dynamodb: AwsJsonClient,
  table: string,
  fromMs: number,
  toMs: number,
): Promise<StoredEvent[]> {
  const a = STORED_EVENT_ATTRIBUTES;
  const events: StoredEvent[] = [];
  let start: Image | undefined;
  do {
    const page = await dynamodb.call<{ Items?: Image[]; LastEvaluatedKey?: Image }>("Scan", {
      TableName: table,
      ConsistentRead: true,
      FilterExpression: "#k = :event AND #r BETWEEN :from AND :to AND attribute_not_exists(#f)",
      ExpressionAttributeNames: { "#k": a.kind, "#r": a.receivedAtMs, "#f": a.forwardedAtMs },
      ExpressionAttributeValues: {
        ":event": { S: STORED_EVENT_KIND },
        ":from": { N: String(fromMs) },
        ":to": { N: String(toMs) },
      },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    const value = page.ok ? page.value : {};
    for (const item of value.Items ?? []) {
      const event = parseStoredEvent(item);
      if (event !== undefined) events.push(event);
    }
    start = value.LastEvaluatedKey;
  } while (start !== undefined);
  return events.sort((x, y) => x.receivedAtMs - y.receivedAtMs || x.id.localeCompare(y.id));
}

interface Target {
  readonly table: string;
  readonly bus: string;
  readonly region: string;
}

async function targetOf(stack: string, io: CliIo): Promise<Target> {
  const outputs = await stackOutputs(stack, io.runPulumi);
  const { dedupeTableName: table, eventBusName: bus } = outputs;
  if (typeof table !== "string" || typeof bus !== "string") {
    throw new SetupError(
      `stack ${stack} lacks the dedupeTableName and eventBusName outputs; export them from the stack program (see index.ts)`,
    );
  }
  return { table, bus, region: stackRegion(stack, outputs) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs reforward with parsed `options`; resolves with the exit code.
 *
 * @example
 * const code = await reforward({ stack: "dev", fromMs: Date.parse("2026-12-01T18:00:00Z"), dryRun: true }, io);
 */
export async function reforward(
  options: ReforwardOptions,
  io: CliIo,
  nowMs: () => number = Date.now,
): Promise<number> {
  const toMs = options.toMs ?? nowMs();
  let target: Target;
  let events: StoredEvent[];
  let dynamodb: AwsJsonClient;
  try {
    target = await targetOf(options.stack, io);
    dynamodb = cliAwsClient(io.env, target.region, "dynamodb");
    try {
      events = await unforwardedEvents(dynamodb, target.table, options.fromMs, toMs);
    } catch (error) {
      const detail = error instanceof Error ? error.message : "unknown error";
      throw new SetupError(
        `scanning ${target.table} failed (${detail}); your credentials need dynamodb:Scan on it`,
      );
    }
  } catch (error) {
    io.stderr(
      error instanceof SetupError
        ? error.message
        : `reforward setup failed: ${error instanceof Error ? error.name : "error"}`,
    );
    return REFORWARD_EXIT.setup;
  }
  const window = `stored ${iso(options.fromMs)} … ${iso(toMs)}`;
  io.stdout(
    `${events.length} event${events.length === 1 ? "" : "s"} in ${target.table} ${window} not marked forwarded.`,
  );
  for (const event of options.dryRun ? events : []) {
    io.stdout(
      `  ${event.id} ${event.type} created ${event.createdAt}, stored ${iso(event.receivedAtMs)} via ${event.via}`,
    );
  }
  if (options.dryRun || events.length === 0) {
    if (options.dryRun) io.stdout("Dry run: nothing sent.");
    return REFORWARD_EXIT.ok;
  }
  io.stdout(REFORWARD_WARNING);
  const failures: string[] = [];
  const publisher = new EventBridgePublisher(
    cliAwsClient(io.env, target.region, "eventBridge"),
    target.bus,
    (failure) => failures.push(`${failure.eventId} (${failure.code})`),
  );
  const accepted = await publisher.publish(events);
  let marked = 0;
  const unmarked: string[] = [];
  for (const [index, event] of events.entries()) {
    if (accepted[index] !== true) continue;
    try {
      if (await markForwarded(dynamodb, target.table, event.id, nowMs())) marked += 1;
      else unmarked.push(event.id);
    } catch {
      unmarked.push(event.id);
    }
  }
  const sent = accepted.filter((ok) => ok).length;
  io.stdout(`Re-forwarded ${sent} of ${events.length} to bus ${target.bus}; marked ${marked} forwarded.`);
  if (unmarked.length > 0) {
    io.stderr(`Not marked (on the bus, but a later run would send them again): ${unmarked.join(", ")}`);
  }
  if (failures.length > 0) {
    io.stderr(`Not accepted by EventBridge: ${failures.join(", ")}; run the command again.`);
    return REFORWARD_EXIT.someFailed;
  }
  return REFORWARD_EXIT.ok;
}
