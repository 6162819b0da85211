import type { CreateWebhookInput, ListEventsQuery } from "../../../components/lemon-api";
import {
  checkCreateWebhookInput,
  eventsQueryParams,
  webhookIdSegment,
} from "../../../components/lemon-api/inputs";

describe("Function: checkCreateWebhookInput", () => {
  it("returns a copy with only url and events", () => {
    // Prepare
    const input = { url: "https://example.com/hook", events: ["account.created"], extra: "x" };

    // Act
    const checked = checkCreateWebhookInput(input);

    // Assess
    expect(checked).toEqual({ url: "https://example.com/hook", events: ["account.created"] });
    expect(checked.events).not.toBe(input.events);
  });

  it.each<[string, unknown, RegExp]>([
    [
      "a relative url",
      { url: "/hook", events: ["account.created"] },
      /url must be an absolute http\(s\) URL/,
    ],
    [
      "a javascript: url",
      { url: "javascript:alert(1)", events: ["account.created"] },
      /url must be an absolute http\(s\) URL/,
    ],
    [
      "an over-long url",
      { url: `https://e.com/${"a".repeat(2070)}`, events: ["account.created"] },
      /url is 2084 characters long; lemon\.markets accepts at most 2083/,
    ],
    ["no events", { url: "https://e.com", events: [] }, /events must be a non-empty array of event types/],
    [
      "events as a string",
      { url: "https://e.com", events: "account.created" },
      /events must be a non-empty array/,
    ],
    [
      "a malformed event type",
      { url: "https://e.com", events: ["account.created", "Account Created"] },
      /events\[1\] must be one event type like "account\.created"/,
    ],
    [
      "a repeated event type",
      { url: "https://e.com", events: ["order.created", "order.created"] },
      /events\[1\] repeats "order\.created" — list each type once/,
    ],
  ])("rejects %s naming the field", (_label, input, message) => {
    expect(() => checkCreateWebhookInput(input as CreateWebhookInput)).toThrow(message);
  });

  it("accepts a well-formed type that is not (yet) published: the API's list is not final", () => {
    expect(checkCreateWebhookInput({ url: "https://e.com", events: ["account.exploded"] }).events).toEqual([
      "account.exploded",
    ]);
  });
});

describe("Function: webhookIdSegment", () => {
  it.each([
    ["wbh_0953534cf20f414098533680abd6b1c6", "wbh_0953534cf20f414098533680abd6b1c6"],
    ["a/b", "a%2Fb"],
    ["x?y#z", "x%3Fy%23z"],
    ["...", "..."],
  ])("encodes %s as %s", (id, segment) => {
    expect(webhookIdSegment(id)).toBe(segment);
  });

  it.each(["", ".", ".."])("rejects %j, which would address another path", (id) => {
    expect(() => webhookIdSegment(id)).toThrow(
      "lemon.markets deleteWebhook: id must be a webhook identifier",
    );
  });
});

describe("Function: eventsQueryParams", () => {
  it("writes every published parameter under its OpenAPI name, in the fragment's order", () => {
    // Prepare
    const query: ListEventsQuery = {
      type: "order.executed",
      sort: "asc",
      since: new Date("2024-05-22T13:06:13.013Z"),
      limit: 50,
      cursor: "abc",
      context: { person: "pers_1", account: "cusa_1" },
    };

    // Act
    const text = eventsQueryParams(query).toString();

    // Assess
    expect(text).toBe(
      "context.account=cusa_1&context.person=pers_1&cursor=abc&limit=50&since=2024-05-22T13%3A06%3A13.013Z&sort=asc&type=order.executed",
    );
  });

  it("sends nothing for an empty query", () => {
    expect(eventsQueryParams({}).toString()).toBe("");
  });

  it("passes a since string through unchanged", () => {
    expect(eventsQueryParams({ since: "2024-05-22T13:06:13.013816+00:00" }).get("since")).toBe(
      "2024-05-22T13:06:13.013816+00:00",
    );
  });

  it.each<[string, unknown, RegExp]>([
    ["a limit of 0", { limit: 0 }, /limit must be a whole number from 1 to 100/],
    ["a limit of 101", { limit: 101 }, /limit must be a whole number from 1 to 100/],
    [
      "an unreadable since",
      { since: "yesterday" },
      /since must be a Date or an RFC 3339 date-time with offset/,
    ],
    ["a since without time", { since: "2024-05-22" }, /since must be a Date or an RFC 3339 date-time/],
    [
      "a since without offset",
      { since: "2024-05-22T13:06:13" },
      /since must be a Date or an RFC 3339 date-time/,
    ],
    [
      "an impossible since",
      { since: "2024-13-45T13:06:13Z" },
      /since must be a Date or an RFC 3339 date-time/,
    ],
    ["an invalid Date", { since: new Date(Number.NaN) }, /since must be a Date or an RFC 3339 date-time/],
    ["an unknown sort", { sort: "newest" }, /sort must be "asc" or "desc"/],
    [
      "several types",
      { type: ["order.created", "order.executed"] },
      /type must be one event type like "account\.created"/,
    ],
    [
      "an unknown context filter",
      { context: { portfolio: "p" } },
      /context\.portfolio is not a filter of GET \/v1\/events; use one of account, /,
    ],
    ["an empty context id", { context: { account: "" } }, /context\.account must be a non-empty identifier/],
    ["an empty cursor", { cursor: "" }, /cursor must be a pagination\.next_cursor/],
  ])("rejects %s naming the parameter", (_label, query, message) => {
    expect(() => eventsQueryParams(query as ListEventsQuery)).toThrow(message);
  });
});
