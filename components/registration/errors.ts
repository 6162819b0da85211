/**
 * Errors of the WebhookRegistration provider, one class per failure. Messages say what to do and never
 * contain the API key or a signature secret; the original error is kept as `cause`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LemonApiError } from "../lemon-api";

/** `create`/`update` got inputs that `check` would have refused (direct callers such as the sandbox). */
export class InvalidInputsError extends Error {
  override readonly name = "InvalidInputsError";
  readonly failures: readonly pulumi.dynamic.CheckFailure[];

  constructor(failures: readonly pulumi.dynamic.CheckFailure[]) {
    super(`WebhookRegistration inputs are invalid: ${failures.map((failure) => failure.reason).join("; ")}`);
    this.failures = failures;
  }
}

/**
 * lemon.markets refused a registration (409, or 422) while another webhook has the same URL. A 409 is
 * that conflict; a 422 may be (the API does not publish its rule), so the message then says "if".
 */
export class RegistrationConflictError extends Error {
  override readonly name = "RegistrationConflictError";
  /** The webhook that already has the URL. */
  readonly existingWebhookId: string;

  constructor(cause: LemonApiError, existingWebhookId: string) {
    const reason =
      cause.apiMessage === undefined ? `HTTP ${cause.status}` : `HTTP ${cause.status}: ${cause.apiMessage}`;
    const refusal =
      cause.status === 409
        ? `lemon.markets refused to register a second webhook for this url (${reason}) while webhook ${existingWebhookId} has it.`
        : `lemon.markets refused the registration (${reason}) while webhook ${existingWebhookId} already has this url; if that is the reason:`;
    super(
      `${refusal} A replacement creates the new webhook before deleting the old one; set ` +
        "`deleteBeforeReplace: true` on the WebhookRegistration to delete first (events in the gap are not " +
        `delivered), or adopt the existing one with \`adoptWebhookId: "${existingWebhookId}"\`.`,
      { cause },
    );
    this.existingWebhookId = existingWebhookId;
  }
}

/**
 * lemon.markets refused the API key (401) during refresh or destroy. Without the program, the engine
 * configures the provider with the stack config it recorded at the last `pulumi up` (as the inputs of the
 * default `pulumi-nodejs` provider in state), not with the config set since: a key rotated in config and
 * revoked at lemon.markets reaches `refresh` and `destroy` only after the next `up`, or with
 * `--run-program`. Proven under the real engine in tests/engine/key-rotation.test.ts.
 */
export class RejectedApiKeyError extends Error {
  override readonly name = "RejectedApiKeyError";

  constructor(cause: LemonApiError, operation: "refresh" | "destroy") {
    super(
      `${cause.message}. If lemonmarkets:apiKey was rotated since the last \`pulumi up\`: \`pulumi ${operation}\` ` +
        "configures the provider with the key recorded at that up, not the one configured now; run `pulumi up` " +
        `first (it changes nothing and records the new key), or \`pulumi ${operation} --run-program\``,
      { cause },
    );
  }
}

/**
 * The answer to `POST /v1/webhooks` was lost and the follow-up list could not settle whether exactly one
 * webhook was registered. `candidateIds` is what the list showed (`undefined` when listing failed too).
 */
export class UnconfirmedRegistrationError extends Error {
  override readonly name = "UnconfirmedRegistrationError";
  readonly candidateIds: readonly string[] | undefined;

  constructor(candidateIds: readonly string[] | undefined, lost: LemonApiError, listError?: unknown) {
    super(explain(candidateIds), { cause: listError ?? lost });
    this.candidateIds = candidateIds;
  }
}

function explain(candidateIds: readonly string[] | undefined): string {
  const lost = "lemon.markets did not answer POST /v1/webhooks";
  if (candidateIds === undefined) {
    return (
      `${lost} and listing webhooks to check failed too, so a webhook for this url may exist: list webhooks ` +
      "(GET /v1/webhooks) and, if one has this url and events, set `adoptWebhookId` to its id; otherwise run " +
      "`pulumi up` again"
    );
  }
  if (candidateIds.length === 0) {
    return `${lost} twice and no webhook was registered (checked by listing); nothing to clean up: run \`pulumi up\` again`;
  }
  return (
    `${lost}, and ${candidateIds.length} new webhooks with this url and events appeared (${candidateIds.join(", ")}): ` +
    "another process is registering the same webhook; delete all but one and adopt it with `adoptWebhookId`"
  );
}

/** `adoptWebhookId` names a webhook that cannot be adopted. */
export class AdoptionError extends Error {
  override readonly name = "AdoptionError";

  constructor(id: string, problem: string) {
    super(
      `adoptWebhookId: webhook ${id} ${problem}; set url and events to the webhook's own values, or remove ` +
        "adoptWebhookId to register a new webhook",
    );
  }
}
