import { LemonApiError, type LemonApiErrorDetails } from "../../../components/lemon-api";

const base = { retryable: false, mayHaveCommitted: false, attempts: 1 } as const;

describe("Class: LemonApiError", () => {
  it.each<[string, LemonApiErrorDetails, string]>([
    [
      "a 401 with the sandbox/production hint",
      { ...base, operation: "list_webhooks", kind: "http", status: 401, apiMessage: "Unauthorized" },
      "lemon.markets list_webhooks failed: HTTP 401 Unauthorized: Unauthorized — check lemonmarkets:apiKey — sandbox and production keys are not interchangeable",
    ],
    [
      "a 422 of create with the API's message",
      {
        ...base,
        operation: "create_webhook",
        kind: "http",
        status: 422,
        apiMessage: "events[0] is not a valid event type",
      },
      "lemon.markets create_webhook failed: HTTP 422 Unprocessable Entity: events[0] is not a valid event type — lemon.markets rejected the url or events: use an absolute https url and published event types",
    ],
    [
      "a 404 of delete",
      { ...base, operation: "delete_webhook", kind: "http", status: 404, apiMessage: "Not Found" },
      "lemon.markets delete_webhook failed: HTTP 404 Not Found: Not Found — the webhook does not exist (already deleted?) or belongs to another partner",
    ],
    [
      "a 404 of a listing",
      { ...base, operation: "list_events", kind: "http", status: 404 },
      "lemon.markets list_events failed: HTTP 404 Not Found — check baseUrl: it must end in /v1, e.g. https://sandbox.api.lemon.markets/v1",
    ],
    [
      "a retried 503",
      { ...base, operation: "list_webhooks", kind: "http", status: 503, retryable: true, attempts: 5 },
      "lemon.markets list_webhooks failed: HTTP 503 Service Unavailable (after 5 attempts) — lemon.markets is failing; try again later",
    ],
    [
      "a 503 of create",
      { ...base, operation: "create_webhook", kind: "http", status: 503, retryable: true },
      "lemon.markets create_webhook failed: HTTP 503 Service Unavailable — lemon.markets is failing; create_webhook is never retried automatically, run the update again later",
    ],
    [
      "a dropped create",
      {
        ...base,
        operation: "create_webhook",
        kind: "network",
        code: "ECONNRESET",
        detail: "socket hang up",
        mayHaveCommitted: true,
        retryable: true,
      },
      "lemon.markets create_webhook failed: network error ECONNRESET (socket hang up) — the webhook may have been created anyway: list webhooks and adopt the one with this url and events before creating again",
    ],
    [
      "a timeout",
      {
        ...base,
        operation: "list_events",
        kind: "timeout",
        code: "ECONNABORTED",
        timeoutMs: 250,
        attempts: 2,
      },
      "lemon.markets list_events failed: no response within 250 ms (after 2 attempts) — check network access to the lemon.markets baseUrl",
    ],
  ])("describes %s", (_label, details, message) => {
    // Act
    const error = new LemonApiError(details);

    // Assess
    expect(error.message).toBe(message);
    expect(error.name).toBe("LemonApiError");
    expect(error).toBeInstanceOf(Error);
  });

  it("carries the details as properties and leaves absent ones absent", () => {
    // Act
    const error = new LemonApiError({ ...base, operation: "delete_webhook", kind: "timeout", attempts: 3 });

    // Assess
    expect({ ...error }).toEqual({
      name: "LemonApiError",
      operation: "delete_webhook",
      kind: "timeout",
      retryable: false,
      mayHaveCommitted: false,
      attempts: 3,
    });
    expect("status" in error).toBe(false);
    expect("apiMessage" in error).toBe(false);
    expect("cause" in error).toBe(false);
  });
});
