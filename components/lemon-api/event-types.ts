/**
 * The event types lemon.markets publishes (the `EventType` enum of the Events + Webhooks OpenAPI fragment,
 * `../shared/reference/lemon-markets/lemonmarkets-events-webhooks-api-openapi.yml`), verbatim.
 *
 * lemon.markets says the list "is not final, more types of events will be added", so callers treat a type
 * outside it as a warning, not an error (the emulator, like the real API, answers 422 for it).
 */
export const PUBLISHED_EVENT_TYPES = [
  "account.closed",
  "account.created",
  "account.opened",
  "account.rejected",
  "batch_order.accepted",
  "batch_order.canceled",
  "batch_order.canceling",
  "batch_order.confirmed",
  "batch_order.created",
  "batch_order.executed",
  "batch_order.rejected",
  "cash_account.created",
  "check.action_required",
  "check.processing",
  "check.pending",
  "check.succeeded",
  "check.failed",
  "corporate_action.created",
  "corporate_action.processed",
  "deposit.created",
  "deposit.rejected",
  "deposit.received",
  "dividend_distribution.created",
  "document.created",
  "identification.created",
  "identification.failed",
  "identification.started",
  "identification.succeeded",
  "income_distribution.created",
  "order.accepted",
  "order.canceled",
  "order.canceling",
  "order.confirmed",
  "order.created",
  "order.executed",
  "order.rejected",
  "securities_account.created",
  "securities_account.opened",
  "securities_account.rejected",
  "securities_account.closed",
  "securities_transfer.created",
  "securities_transfer.completed",
  "settlement.created",
  "sweep.canceled",
  "sweep.created",
  "sweep.processed",
  "sweep.rejected",
  "sweep.started",
  "tax.canceled",
  "tax.created",
  "tax.processed",
  "tax_exemption_order.accepted",
  "tax_exemption_order.canceled",
  "tax_exemption_order.canceling",
  "tax_exemption_order.created",
  "tax_exemption_order.rejected",
  "trade.cash_settled",
  "trade.created",
  "trade.taxes_processed",
  "treasury_mandate.accepted",
  "treasury_mandate.canceled",
  "treasury_mandate.confirmed",
  "treasury_mandate.created",
  "treasury_mandate.rejected",
  "treasury_transfer.created",
  "treasury_transfer.pending",
  "treasury_transfer.processed",
  "treasury_transfer.canceled",
  "treasury_transfer.canceling",
  "treasury_transfer.settled",
  "treasury_transfer.rejected",
  "update.created",
  "update.succeeded",
  "update.failed",
  "withdrawal.accepted",
  "withdrawal.canceled",
  "withdrawal.confirmed",
  "withdrawal.created",
  "withdrawal.processed",
  "withdrawal.rejected",
  "workflow.created",
  "workflow.confirmed",
  "workflow.canceled",
] as const;

export type PublishedEventType = (typeof PUBLISHED_EVENT_TYPES)[number];

const PUBLISHED = new Set<string>(PUBLISHED_EVENT_TYPES);

/** True for a type in the published list. */
export function isPublishedEventType(type: string): type is PublishedEventType {
  return PUBLISHED.has(type);
}

// The shape of every event type, published or not, is the event's own fact (contract/event.ts).
export { EVENT_TYPE_PATTERN } from "../../contract/event";
