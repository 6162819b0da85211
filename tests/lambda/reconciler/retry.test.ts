/**
 * Which AWS failures the reconciler retries, seen through the real JSON client and DynamoDB store adapter
 * against a server that answers like AWS: every 5xx and throttling is tried again, a definite rejection
 * (access denied, validation) is not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDbEventStore } from "../../../lambda/aws/event-store";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import { AWS_RETRY, isTransientAwsFailure, retryingPorts } from "../../../lambda/reconciler/retry";
import type { NewStoredEvent } from "../../../contract/events-table";
import { clientFor } from "../../support/local-aws";

interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

const ACCEPTED: Reply = { status: 200, body: "{}" };

const EVENT: NewStoredEvent = {
  id: "evt_33531f7f801d4ce997747470ab7208fd",
  type: "order.executed",
  createdAt: "2026-07-19T12:00:00.000+00:00",
  body: '{"id":"evt_33531f7f801d4ce997747470ab7208fd"}',
  via: "reconciler",
};

/** A DynamoDB endpoint that answers `replies` in turn (the last one for every further request). */
async function scriptedDynamoDb(replies: readonly Reply[]) {
  const targets: string[] = [];
  const server: Server = createServer((req, res) => {
    targets.push(String(req.headers["x-amz-target"]));
    req.resume();
    req.on("end", () => {
      const reply = replies[Math.min(targets.length, replies.length) - 1]!;
      res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.0", ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Stores EVENT through the retrying store port; returns the waits and the requests the server saw. */
async function storeWithRetries(replies: readonly Reply[]) {
  const server = await scriptedDynamoDb(replies);
  const sleeps: number[] = [];
  const store = new DynamoDbEventStore(clientFor("dynamodb", server.endpoint), "lemon-events", 3_600);
  const ports = retryingPorts(
    { store, watermarks: { read: jest.fn(), advance: jest.fn() } },
    { sleep: async (ms) => void sleeps.push(ms), now: () => 0 },
  );
  try {
    const error = await ports.store.store(EVENT, 0).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, sleeps, requests: server.targets.length };
  } finally {
    await server.close();
  }
}

describe("Function: retryingPorts (the conditional PutItem through the real JSON client)", () => {
  it.each<[string, Reply]>([
    ["DynamoDB's InternalServerError (HTTP 500)", { status: 500, body: '{"__type":"InternalServerError"}' }],
    ["a 500 that names its type in `code`", { status: 500, body: '{"code":"InternalServerError"}' }],
    ["a 501 with any error type", { status: 501, body: '{"__type":"NotImplemented"}' }],
    ["a 502 without a body", { status: 502, body: "" }],
    ["a 503 ServiceUnavailableException", { status: 503, body: '{"__type":"ServiceUnavailableException"}' }],
    [
      "a 503 SlowDown in the header",
      { status: 503, headers: { "x-amzn-errortype": "SlowDown" }, body: "{}" },
    ],
    ["a 504 with an HTML body", { status: 504, body: "<html>Gateway Timeout</html>" }],
    ["a 429 TooManyRequestsException", { status: 429, body: '{"__type":"TooManyRequestsException"}' }],
    ["a 400 ThrottlingException", { status: 400, body: '{"__type":"ThrottlingException"}' }],
    [
      "a 400 ProvisionedThroughputExceededException",
      {
        status: 400,
        body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}',
      },
    ],
  ])("retries %s and then stores", async (_label, failure) => {
    // Act
    const { error, sleeps, requests } = await storeWithRetries([failure, ACCEPTED]);

    // Assess
    expect(error).toBeUndefined();
    expect(requests).toBe(2);
    expect(sleeps).toEqual([AWS_RETRY.baseDelayMs]);
  });

  it("gives up after AWS_RETRY.attempts tries of a lasting 500, with the last error", async () => {
    // Act
    const { error, sleeps, requests } = await storeWithRetries([
      { status: 500, body: '{"__type":"InternalServerError","message":"try later"}' },
    ]);

    // Assess
    expect(requests).toBe(AWS_RETRY.attempts);
    expect(sleeps).toEqual([200, 400, 800]);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).code).toBe("InternalServerError");
  });

  it.each<[string, Reply, string]>([
    [
      "AccessDeniedException",
      { status: 400, body: '{"__type":"AccessDeniedException"}' },
      "AccessDeniedException",
    ],
    ["ValidationException", { status: 400, body: '{"code":"ValidationException"}' }, "ValidationException"],
    ["a 413 without a type", { status: 413, body: "{}" }, "http-413"],
  ])("does not retry %s (it would fail again)", async (_label, failure, code) => {
    // Act
    const { error, sleeps, requests } = await storeWithRetries([failure, ACCEPTED]);

    // Assess
    expect(requests).toBe(1);
    expect(sleeps).toEqual([]);
    expect((error as DependencyUnavailableError).code).toBe(code);
  });
});

describe("Function: isTransientAwsFailure (failures without an HTTP status)", () => {
  it.each([
    ["network", true],
    ["timeout", true],
    // PutEvents entry error codes (HTTP 200, the entry failed)
    ["InternalFailure", true],
    ["ThrottlingException", true],
    ["MalformedDetail", false],
    // the invocation's own deadline: no time to retry
    ["deadline", false],
  ])("%s → %s", (code, transient) => {
    // Assess
    expect(isTransientAwsFailure(new DependencyUnavailableError("eventbridge", code))).toBe(transient);
  });

  it("is false for anything that is not a DependencyUnavailableError", () => {
    // Assess
    expect(isTransientAwsFailure(new Error("network"))).toBe(false);
  });
});
