/**
 * Turns what happened into the sentences `npm start` prints. Pure functions of the recorded facts (delivery
 * attempts, receiver log lines, EventBridge entries), so the wording is testable without servers.
 * Nothing here ever sees a secret: the inputs hold ids, types, statuses and timings only.
 */
import type { ReceiverLogRecord } from "./lambda-process";
import type { ForwardedEvent } from "./start";
import type { DeliveryOutcome } from "./walkthrough";

/** `account cusa_…` (or every context entry) for a forwarded event; empty when it has no context. */
export function describeContext(context: Readonly<Record<string, unknown>>): string {
  return Object.entries(context)
    .map(([key, value]) => `${key} ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/** The line for one forwarded event: `account.created evt_… account cusa_…`. */
export function describeForwarded(event: ForwardedEvent): string {
  const context = describeContext(event.context);
  return `${event.type} ${event.id}${context === "" ? "" : ` ${context}`}`;
}

/** What the receiver did with a request, from its log line. */
export function describeReceiverOutcome(
  record: ReceiverLogRecord,
  forwarded: readonly ForwardedEvent[],
  eventBusName: string,
): string {
  const event = forwarded.find((entry) => entry.id === record.eventId);
  switch (record.outcome) {
    case "stored":
      return event === undefined
        ? `✔ signature verified, stored ${record.eventType ?? ""} ${record.eventId ?? ""} (answered 200; the stream forwards it)`.trimEnd()
        : `✔ signature verified, stored (200); the stream's forwarder put it on EventBridge bus ${eventBusName}: ${describeForwarded(event)}`;
    case "duplicate":
      return `✔ signature verified, deduplicated: ${record.eventId} was already stored, so it is neither stored nor forwarded again`;
    case "rejected":
      return `✖ rejected with ${record.status} (${record.rejectReason ?? "invalid request"})`;
    default:
      return `✖ answered ${record.status} (${record.outcome}): lemon.markets retries`;
  }
}

/** The emulator's side of one attempt: `→ delivery attempt 1 of evt_… (account.created): HTTP 200 in 31 ms`. */
export function describeAttempt(outcome: DeliveryOutcome): string {
  const { attempt, eventType } = outcome;
  const what = attempt.duplicate
    ? `redelivery of ${attempt.eventId} (${eventType}), the same event once more as lemon.markets may send it`
    : `delivery of ${attempt.eventId} (${eventType})`;
  const retry = attempt.attempt > 1 ? `, retry ${attempt.attempt - 1}` : "";
  const result =
    attempt.status === undefined ? `no answer (${attempt.error ?? "unknown"})` : `HTTP ${attempt.status}`;
  return `→ ${what}${retry}: ${result} in ${attempt.durationMs} ms`;
}

/** Both lines of every attempt, in order. */
export function describeOutcomes(
  outcomes: readonly DeliveryOutcome[],
  forwarded: readonly ForwardedEvent[],
  eventBusName: string,
): string[] {
  return outcomes.flatMap((outcome) => [
    describeAttempt(outcome),
    ...(outcome.receiver === undefined
      ? []
      : [describeReceiverOutcome(outcome.receiver, forwarded, eventBusName)]),
  ]);
}

/** Shell commands a user can run against the running sandbox (`--keep-running`); they need no API key. */
export function curlCommands(
  emulatorBaseUrl: string,
  receiverUrl: string,
  type: string,
  account: string,
): string[] {
  const root = emulatorBaseUrl.replace(/\/v1$/, "");
  const event = JSON.stringify({ type, context: { account } });
  const forged = JSON.stringify({
    id: "evt_00000000000000000000000000000000",
    type,
    created_at: "2023-06-29T14:40:30.523373+00:00",
    context: { account },
  });
  return [
    "# make the emulator emit an event (delivered, signed, to the registered webhook):",
    `curl -s -X POST ${root}/_emulator/events -H 'Content-Type: application/json' -d '${event}'`,
    "# every delivery attempt the emulator made:",
    `curl -s ${root}/_emulator/deliveries`,
    "# an unsigned request straight to the receiver is refused with 401:",
    `curl -s -i -X POST ${receiverUrl} -H 'Content-Type: application/json' -d '${forged}'`,
  ];
}
