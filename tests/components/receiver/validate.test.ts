import fc from "fast-check";
import { PUBLISHED_EVENT_TYPES } from "../../../components/lemon-api/event-types";
import { RECEIVER_DEFAULTS } from "../../../components/receiver/args";
import { endpointUrl } from "../../../components/receiver/url";
import {
  LOG_RETENTION_DAYS,
  ReceiverArgsError,
  validateEventTypes,
  validateName,
  validateReceiverArgs,
  validateRoutePath,
} from "../../../components/receiver/validate";
import { DEFAULT_SIGNATURE_SCHEME } from "../../../contract/signature";

const EVENTS = ["order.executed"];

function errorOf(action: () => unknown): ReceiverArgsError {
  try {
    action();
  } catch (error) {
    if (error instanceof ReceiverArgsError) return error;
    throw error;
  }
  throw new Error("expected a ReceiverArgsError");
}

describe("Function: validateReceiverArgs", () => {
  it("fills in every default when only events are given", () => {
    // Act
    const resolved = validateReceiverArgs({ events: EVENTS });

    // Assess
    expect(resolved).toEqual({
      events: EVENTS,
      routePath: "/webhooks/lemon-markets",
      throttling: { rateLimit: 100, burstLimit: 200 },
      logRetentionDays: 30,
      memorySize: 256,
      timeoutSeconds: 8,
      reservedConcurrency: undefined,
      rotationGraceSeconds: 86_400,
      dedupeTtlSeconds: 604_800,
      maxBodyBytes: 65_536,
      secretCacheSeconds: 300,
      signatureScheme: DEFAULT_SIGNATURE_SCHEME,
      archiveRetentionDays: 30,
      logLevel: "INFO",
      secretRecoveryWindowInDays: 0,
      unpublishedEvents: [],
    });
    expect(RECEIVER_DEFAULTS.routePath).toBe(resolved.routePath);
  });

  it("reports event types outside the published list without rejecting them", () => {
    // Act
    const resolved = validateReceiverArgs({ events: ["order.executed", "order.teleported"] });

    // Assess
    expect(resolved.unpublishedEvents).toEqual(["order.teleported"]);
  });

  it.each([
    ["no events", { events: [] }, "events", "at least one event type"],
    ["a malformed event", { events: ["Order.Executed"] }, "events[0]", '"<entity>.<action>"'],
    [
      "a duplicate event",
      { events: ["order.executed", "order.executed"] },
      "events[1]",
      "list each event type once",
    ],
    [
      "a path without a leading slash",
      { events: EVENTS, routePath: "webhooks" },
      "routePath",
      'must start with "/"',
    ],
    ["a path with a trailing slash", { events: EVENTS, routePath: "/webhooks/" }, "routePath", "trailing"],
    ["a path with a parameter", { events: EVENTS, routePath: "/hooks/{id}" }, "routePath", "{parameters}"],
    ["a double slash", { events: EVENTS, routePath: "/a//b" }, "routePath", "segments"],
    ["a zero rate", { events: EVENTS, throttling: { rateLimit: 0 } }, "throttling.rateLimit", "positive"],
    [
      "a zero burst",
      { events: EVENTS, throttling: { burstLimit: 0 } },
      "throttling.burstLimit",
      "from 1 to 5000",
    ],
    [
      "a fractional burst",
      { events: EVENTS, throttling: { burstLimit: 1.5 } },
      "throttling.burstLimit",
      "whole",
    ],
    [
      "a retention CloudWatch lacks",
      { events: EVENTS, logRetentionDays: 10 },
      "logRetentionDays",
      "retention values",
    ],
    ["never-expiring logs", { events: EVENTS, logRetentionDays: 0 }, "logRetentionDays", "retention values"],
    ["too little memory", { events: EVENTS, memorySize: 127 }, "memorySize", "from 128 to 10240"],
    ["too much memory", { events: EVENTS, memorySize: 10241 }, "memorySize", "from 128 to 10240"],
    ["the 10 s deadline as timeout", { events: EVENTS, timeoutSeconds: 10 }, "timeoutSeconds", "from 1 to 9"],
    [
      "a zero reserved concurrency",
      { events: EVENTS, reservedConcurrency: 0 },
      "reservedConcurrency",
      "from 1",
    ],
    ["a zero grace", { events: EVENTS, rotationGraceSeconds: 0 }, "rotationGraceSeconds", "from 1 to"],
    ["a dedupe TTL under an hour", { events: EVENTS, dedupeTtlSeconds: 60 }, "dedupeTtlSeconds", "from 3600"],
    ["a body limit over 200 KiB", { events: EVENTS, maxBodyBytes: 204_801 }, "maxBodyBytes", "to 204800"],
    [
      "a negative archive retention",
      { events: EVENTS, archiveRetentionDays: -1 },
      "archiveRetentionDays",
      "from 0",
    ],
    [
      "both alarm destinations",
      {
        events: EVENTS,
        alarmEmail: "ops@example.com",
        alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:a",
      },
      "alarmEmail",
      "Only one of [alarmEmail] and [alarmTopicArn]",
    ],
    ["a malformed email", { events: EVENTS, alarmEmail: "ops" }, "alarmEmail", "email address"],
    [
      "a topic ARN of another service",
      { events: EVENTS, alarmTopicArn: "arn:aws:sqs:eu-central-1:123456789012:a" },
      "alarmTopicArn",
      "SNS topic ARN",
    ],
    [
      "a bus ARN of another service",
      { events: EVENTS, eventBus: { name: "orders", arn: "arn:aws:sns:eu-central-1:123456789012:orders" } },
      "eventBus.arn",
      "EventBridge bus ARN",
    ],
    [
      "a bus name with spaces",
      {
        events: EVENTS,
        eventBus: { name: "my bus", arn: "arn:aws:events:eu-central-1:123456789012:event-bus/x" },
      },
      "eventBus.name",
      "bus name",
    ],
    ["an empty bundle directory", { events: EVENTS, lambdaBundleDir: "" }, "lambdaBundleDir", "index.js"],
    [
      "an empty forwarder bundle directory",
      { events: EVENTS, forwarderBundleDir: "" },
      "forwarderBundleDir",
      "index.js",
    ],
  ])("rejects %s, naming the field", (_label, args, field, fix) => {
    // Act
    const error = errorOf(() => validateReceiverArgs(args));

    // Assess
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`[${field}] `)).toBe(true);
    expect(error.message).toContain(fix);
  });

  it("accepts every CloudWatch retention value", () => {
    // Act
    const accepted = LOG_RETENTION_DAYS.map(
      (days) => validateReceiverArgs({ events: EVENTS, logRetentionDays: days }).logRetentionDays,
    );

    // Assess
    expect(accepted).toEqual([...LOG_RETENTION_DAYS]);
  });

  it("accepts an existing bus whose name and ARN are not known yet", () => {
    // Prepare: outputs of another resource cannot be checked up front and must not be rejected
    const pending = { name: Promise.resolve("orders"), arn: Promise.resolve("arn") };

    // Act
    const resolved = validateReceiverArgs({ events: EVENTS, eventBus: pending });

    // Assess
    expect(resolved.events).toEqual(EVENTS);
  });
});

describe("Function: validateEventTypes", () => {
  it("accepts every published event type at once", () => {
    // Act
    const unpublished = validateEventTypes(PUBLISHED_EVENT_TYPES, "events");

    // Assess
    expect(unpublished).toEqual([]);
  });

  it("rejects any list holding a duplicate, naming its index", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        (events, pick) => {
          // Prepare
          const duplicate = events[pick % events.length] as string;

          // Act
          const error = errorOf(() => validateEventTypes([...events, duplicate], "events"));

          // Assess
          expect(error.field).toBe(`events[${events.length}]`);
        },
      ),
    );
  });
});

describe("Function: validateRoutePath", () => {
  it("accepts any path of plain segments", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { minLength: 1, maxLength: 5 }),
        (segments) => {
          // Act
          const act = () => validateRoutePath(`/${segments.join("/")}`);

          // Assess
          expect(act).not.toThrow();
        },
      ),
    );
  });
});

describe("Function: validateName", () => {
  it.each([
    ["an empty name", ""],
    ["a name with a space", "lemon receiver"],
    ["a leading dash", "-lemon"],
    ["a 33-character name", "a".repeat(33)],
  ])("rejects %s", (_label, name) => {
    // Act
    const error = errorOf(() => validateName(name));

    // Assess
    expect(error.field).toBe("name");
    expect(error.message.startsWith("[name] ")).toBe(true);
  });

  it("accepts a 32-character name", () => {
    // Act
    const act = () => validateName("a".repeat(32));

    // Assess
    expect(act).not.toThrow();
  });
});

describe("Function: endpointUrl", () => {
  it("joins the $default stage URL and the path with exactly one slash", () => {
    // Act
    const url = endpointUrl("https://abc.execute-api.eu-central-1.amazonaws.com/", "/webhooks/lemon-markets");

    // Assess
    expect(url).toBe("https://abc.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets");
  });

  it("never produces a double slash after the host, whatever trailing slashes the URL has", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 3 }),
        fc.array(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { minLength: 1, maxLength: 4 }),
        (slashes, segments) => {
          // Prepare
          const path = `/${segments.join("/")}`;

          // Act
          const url = endpointUrl(`https://abc.example${"/".repeat(slashes)}`, path);

          // Assess
          expect(url).toBe(`https://abc.example${path}`);
        },
      ),
    );
  });
});
