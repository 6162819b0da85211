/**
 * `POST /v1/accounts` (operation create_account): validates the body, answers 201 with a
 * `CustomerAccountResponse` and emits `account.created` with `context.account` = the new `cusa_…` id —
 * the step the webhook setup guide uses to trigger a first delivery.
 */
import {
  type CreateAccountRequest,
  isCustomerReference,
  parseCreateAccountRequest,
} from "../account-request";
import { newId } from "../ids";
import { jsonObjectBody } from "./body";
import type { RouteHandler } from "./context";

const CUSTOMER_FIELDS = [
  "firstname",
  "lastname",
  "gender",
  "date_of_birth",
  "place_of_birth",
  "nationalities",
  "phone_number",
  "email",
  "marital_status",
  "registered_address",
  "tax_residencies",
  "employment",
] as const;

/** The customer as the response schema shapes it: known fields only, plus the new person id. */
function customerResponse(
  customer: CreateAccountRequest["customer"],
  personId: string,
): Record<string, unknown> {
  if (isCustomerReference(customer)) {
    return { type: customer.type, id: customer.id, [customer.type]: customer.id };
  }
  const known = CUSTOMER_FIELDS.filter((field) => Object.hasOwn(customer, field)).map((field) => [
    field,
    customer[field],
  ]);
  return { id: personId, ...Object.fromEntries(known) };
}

export const createAccount: RouteHandler = ({ rawBody, emit }) => {
  const request = parseCreateAccountRequest(
    jsonObjectBody(rawBody, "with customer, accepted_agreements and declaration_of_acting_on_own_account"),
  );
  const accountId = newId("cusa_");
  const personId =
    isCustomerReference(request.customer) && request.customer.type === "person"
      ? request.customer.id
      : newId("pers_");
  const event = emit("account.created", { account: accountId });
  return {
    status: 201,
    body: {
      id: accountId,
      customer: customerResponse(request.customer, personId),
      declaration_of_acting_on_own_account: request.declaration_of_acting_on_own_account,
      history: [{ status: "created", timestamp: event.created_at }],
      status: "created",
      ...(request.metadata ? { metadata: request.metadata } : {}),
      agreements: request.accepted_agreements.map((agreement) => ({
        agreement: agreement.agreement_id,
        accepted_at: agreement.accepted_at,
        person: personId,
      })),
    },
  };
};
