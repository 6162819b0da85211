import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { PUBLISHED_EVENT_TYPES } from "../../../components/lemon-api";
import {
  checkRegistrationInputs,
  DEFAULT_API_BASE_URL,
  MAX_URL_LENGTH,
  normaliseEvents,
  normaliseUrl,
} from "../../../components/registration";

const URL_EXAMPLE = "e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/lemon";
const EVENTS_EXAMPLE = 'e.g. ["account.created", "order.executed"]';
const VALID = { url: "https://hooks.example.com/lemon", events: ["account.created"] };

describe("Function: checkRegistrationInputs", () => {
  it("fills in defaults and sorts and deduplicates events", () => {
    // Act
    const result = checkRegistrationInputs({
      ...VALID,
      events: ["order.executed", "account.created", "order.executed"],
    });

    // Assess
    expect(result).toEqual({
      inputs: {
        url: "https://hooks.example.com/lemon",
        events: ["account.created", "order.executed"],
        apiBaseUrl: DEFAULT_API_BASE_URL,
        deleteBeforeReplace: false,
      },
      failures: [],
      warnings: [],
    });
    expect(DEFAULT_API_BASE_URL).toBe("https://sandbox.api.lemon.markets/v1");
  });

  it("keeps optional inputs that are set and omits those that are not (no undefined values)", () => {
    // Act
    const { inputs } = checkRegistrationInputs({
      ...VALID,
      apiBaseUrl: "http://127.0.0.1:4010/v1/",
      privacyPrincipal: "ops",
      privacyJustification: undefined,
      deleteBeforeReplace: true,
      adoptWebhookId: "wbh_0953534cf20f414098533680abd6b1c6",
    });

    // Assess
    expect(inputs).toEqual({
      url: VALID.url,
      events: VALID.events,
      apiBaseUrl: "http://127.0.0.1:4010/v1",
      deleteBeforeReplace: true,
      privacyPrincipal: "ops",
      adoptWebhookId: "wbh_0953534cf20f414098533680abd6b1c6",
    });
    expect(Object.keys(inputs ?? {})).not.toContain("privacyJustification");
  });

  it.each([
    ["localhost", "http://localhost:3000/hook"],
    ["127.0.0.1", "http://127.0.0.1:3000/hook"],
    ["[::1]", "http://[::1]:3000/hook"],
    ["https with port and query", "https://hooks.example.com:8443/lemon?tenant=a"],
    [
      "exactly 2083 characters",
      `https://h.example/${"a".repeat(MAX_URL_LENGTH - "https://h.example/".length)}`,
    ],
  ])("accepts a url (%s)", (_label, url) => {
    // Act
    const { inputs, failures } = checkRegistrationInputs({ ...VALID, url });

    // Assess
    expect(failures).toEqual([]);
    expect(inputs?.url).toBe(url);
  });

  it.each([
    ["missing", undefined, `url is required: the receiver's absolute https:// URL, ${URL_EXAMPLE}`],
    ["empty", "", `url is required: the receiver's absolute https:// URL, ${URL_EXAMPLE}`],
    ["relative", "/webhooks/lemon", `url must be an absolute URL, ${URL_EXAMPLE}`],
    [
      "http on a public host",
      "http://hooks.example.com/lemon",
      `url must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1]), ${URL_EXAMPLE}`,
    ],
    ["ftp", "ftp://hooks.example.com/lemon", `url must use https://, not ftp://, ${URL_EXAMPLE}`],
    [
      "credentials",
      "https://user:pw@hooks.example.com/lemon",
      "url must not contain credentials (user:password@); lemon.markets authenticates by signature",
    ],
    [
      "2084 characters",
      `https://h.example/${"a".repeat(MAX_URL_LENGTH + 1 - "https://h.example/".length)}`,
      "url is 2084 characters; lemon.markets accepts at most 2083: shorten it",
    ],
  ])("rejects a url (%s), naming the property and the fix", (_label, url, reason) => {
    // Act
    const result = checkRegistrationInputs({ ...VALID, url });

    // Assess
    expect(result).toEqual({ inputs: undefined, failures: [{ property: "url", reason }], warnings: [] });
  });

  it.each([
    ["not a list", "account.created", `events must be a list of event types, ${EVENTS_EXAMPLE}`],
    ["empty", [], `events must contain at least one event type, ${EVENTS_EXAMPLE}`],
    [
      "upper case",
      ["Account.Created"],
      `events[0] "Account.Created" is not an event type: use lowercase <entity>.<action>, ${EVENTS_EXAMPLE}`,
    ],
    [
      "not a string",
      ["account.created", 7],
      `events[1] number is not an event type: use lowercase <entity>.<action>, ${EVENTS_EXAMPLE}`,
    ],
    [
      "without a dot",
      ["account"],
      `events[0] "account" is not an event type: use lowercase <entity>.<action>, ${EVENTS_EXAMPLE}`,
    ],
  ])("rejects events (%s), naming the property and the fix", (_label, events, reason) => {
    // Act
    const result = checkRegistrationInputs({ ...VALID, events });

    // Assess
    expect(result).toEqual({ inputs: undefined, failures: [{ property: "events", reason }], warnings: [] });
  });

  it("accepts a well-formed unpublished event type with one warning naming it", () => {
    // Act
    const result = checkRegistrationInputs({
      ...VALID,
      events: ["account.created", "portfolio.rebalanced", "portfolio.rebalanced"],
    });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.inputs?.events).toEqual(["account.created", "portfolio.rebalanced"]);
    expect(result.warnings).toEqual([
      'events: "portfolio.rebalanced" is not in the published lemon.markets event types known to this package; it is registered as given (lemon.markets adds types) — check the spelling if that is unexpected',
    ]);
  });

  it.each([
    [
      "apiBaseUrl",
      { apiBaseUrl: "https://api.lemon.markets" },
      `apiBaseUrl must end in /v1 (the API version path), e.g. ${DEFAULT_API_BASE_URL}`,
    ],
    [
      "apiBaseUrl",
      { apiBaseUrl: "http://api.lemon.markets/v1" },
      `apiBaseUrl must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1]), e.g. ${DEFAULT_API_BASE_URL}`,
    ],
    [
      "privacyPrincipal",
      { privacyPrincipal: "ops\r\nX-Evil: 1" },
      "privacyPrincipal must be a non-empty single-line string (an HTTP header value); omit it for the default",
    ],
    [
      "privacyJustification",
      { privacyJustification: "" },
      "privacyJustification must be a non-empty single-line string (an HTTP header value); omit it for the default",
    ],
    [
      "deleteBeforeReplace",
      { deleteBeforeReplace: "yes" },
      "deleteBeforeReplace must be true or false (default false: create before delete)",
    ],
    [
      "adoptWebhookId",
      { adoptWebhookId: "wbh_1/../x" },
      "adoptWebhookId must be a lemon.markets webhook id, e.g. wbh_0953534cf20f414098533680abd6b1c6",
    ],
  ])("rejects a bad %s", (property, extra, reason) => {
    // Act
    const result = checkRegistrationInputs({ ...VALID, ...extra });

    // Assess
    expect(result).toEqual({ inputs: undefined, failures: [{ property, reason }], warnings: [] });
  });

  it("reports every bad property at once", () => {
    // Act
    const { failures } = checkRegistrationInputs({
      url: "http://x.example",
      events: [],
      deleteBeforeReplace: 1,
    });

    // Assess
    expect(failures.map((failure) => failure.property)).toEqual(["url", "events", "deleteBeforeReplace"]);
  });

  it("passes values still unknown during preview through unchecked", () => {
    // Prepare
    const unknown = pulumi.runtime.unknownValue;

    // Act
    const result = checkRegistrationInputs({
      url: unknown,
      events: ["account.created", unknown],
      apiBaseUrl: unknown,
    });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      url: unknown,
      events: [unknown, "account.created"],
      apiBaseUrl: unknown,
      deleteBeforeReplace: false,
    });
  });

  it("accepts any non-empty selection of published event types, normalised", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1, maxLength: 20 }),
        (events) => {
          const { inputs, failures, warnings } = checkRegistrationInputs({ ...VALID, events });
          expect(failures).toEqual([]);
          expect(warnings).toEqual([]);
          expect(inputs?.events).toEqual([...new Set(events)].sort());
        },
      ),
    );
  });

  it("never lets an event type with characters outside [a-z0-9_.] through", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((text) => /[^a-z0-9_.]/.test(text)),
        (type) => {
          const { inputs, failures } = checkRegistrationInputs({ ...VALID, events: [type] });
          expect(inputs).toBeUndefined();
          expect(failures).toHaveLength(1);
          expect(failures[0]?.property).toBe("events");
        },
      ),
    );
  });
});

describe("Function: normaliseEvents", () => {
  it("is independent of order and repetition, and sorted without duplicates", () => {
    const eventsAndShuffledCopy = fc
      .array(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1 })
      .chain((events) => {
        const doubled = [...events, ...events];
        return fc.tuple(
          fc.constant(events),
          fc.shuffledSubarray(doubled, { minLength: doubled.length, maxLength: doubled.length }),
        );
      });
    fc.assert(
      fc.property(eventsAndShuffledCopy, ([events, shuffled]) => {
        const normalised = normaliseEvents(shuffled);
        expect(normalised).toEqual(normaliseEvents(events));
        expect(normalised).toEqual([...new Set(events)].sort());
      }),
    );
  });
});

describe("Function: normaliseUrl", () => {
  it.each([
    ["https://Hooks.Example.com/lemon/", "https://hooks.example.com/lemon"],
    ["https://hooks.example.com:443/lemon", "https://hooks.example.com/lemon"],
    ["https://hooks.example.com/", "https://hooks.example.com"],
    ["https://hooks.example.com", "https://hooks.example.com"],
    ["https://hooks.example.com/a/?x=1", "https://hooks.example.com/a?x=1"],
    ["http://localhost:8080/a", "http://localhost:8080/a"],
    ["not a url", "not a url"],
  ])("normalises %s to %s", (url, expected) => {
    expect(normaliseUrl(url)).toBe(expected);
  });

  it("keeps different paths different", () => {
    expect(normaliseUrl("https://h.example/a")).not.toBe(normaliseUrl("https://h.example/b"));
  });
});
