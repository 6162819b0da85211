import { inspect } from "node:util";
import { EventBridgePublisher, type PublishFailure } from "../../../lambda/aws/event-sink";
import { SecretsManagerSecretSource } from "../../../lambda/aws/secret-source";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  LOCAL_CREDENTIALS,
  startFakeEventBridge,
  startFakeSecretsManager,
} from "../../../local";
import type { StoredEvent } from "../../../contract/events-table";
import { clientFor, DEAD_ENDPOINT } from "../../support/local-aws";
import { BODY, EVENT, OLD_SECRET, SECRET } from "../../support/events";

const CREATED_OLD = new Date("2026-01-01T00:00:00.000Z");
const CREATED_NEW = new Date("2026-07-19T12:00:00.250Z");

async function rejection(promise: Promise<unknown>): Promise<DependencyUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DependencyUnavailableError);
  return error as DependencyUnavailableError;
}

describe("Class: SecretsManagerSecretSource (against the fake Secrets Manager)", () => {
  let sm: FakeSecretsManager;
  let source: SecretsManagerSecretSource;
  beforeEach(async () => {
    sm = await startFakeSecretsManager({
      versions: [
        { secret: OLD_SECRET, createdAt: CREATED_OLD },
        { secret: SECRET, createdAt: CREATED_NEW },
      ],
    });
    source = new SecretsManagerSecretSource(clientFor("secrets-manager", sm.endpoint), sm.arn);
  });
  afterEach(() => sm.close());

  it("reads AWSCURRENT and AWSPREVIOUS with their creation dates by ARN", async () => {
    // Act
    const current = await source.current();
    const previous = await source.previous();

    // Assess
    expect(current).toEqual({ value: SECRET, createdAt: CREATED_NEW });
    expect(previous).toEqual({ value: OLD_SECRET, createdAt: CREATED_OLD });
    expect(sm.calls).toEqual([
      { secretId: sm.arn, versionStage: "AWSCURRENT" },
      { secretId: sm.arn, versionStage: "AWSPREVIOUS" },
    ]);
  });

  it("reports no previous version for a secret that was never rotated", async () => {
    // Prepare
    const fresh = await startFakeSecretsManager({ versions: [{ secret: SECRET, createdAt: CREATED_NEW }] });
    const freshSource = new SecretsManagerSecretSource(
      clientFor("secrets-manager", fresh.endpoint),
      fresh.arn,
    );

    // Act
    const previous = await freshSource.previous();
    await fresh.close();

    // Assess
    expect(previous).toBeUndefined();
  });

  it("sees a rotation: the new secret is current and the old one previous", async () => {
    // Prepare
    const rotatedAt = new Date("2026-07-20T00:00:00.000Z");

    // Act
    sm.putSecretValue("brand-new-secret", rotatedAt);

    // Assess
    expect(await source.current()).toEqual({ value: "brand-new-secret", createdAt: rotatedAt });
    expect(await source.previous()).toEqual({ value: SECRET, createdAt: CREATED_NEW });
  });

  it.each([
    ["unavailable", "InternalServiceError"],
    ["throttle", "ThrottlingException"],
    ["access-denied", "AccessDeniedException"],
  ] as const)("maps an injected %s fault to DependencyUnavailableError(%s)", async (fault, code) => {
    // Prepare
    sm.failNext(1, fault);

    // Act
    const error = await rejection(source.current());

    // Assess
    expect(error.dependency).toBe("secrets-manager");
    expect(error.code).toBe(code);
    expect(await source.current()).toEqual({ value: SECRET, createdAt: CREATED_NEW });
  });

  it("maps an unknown secret ARN to DependencyUnavailableError, not 'no secret'", async () => {
    // Prepare
    const wrong = new SecretsManagerSecretSource(
      clientFor("secrets-manager", sm.endpoint),
      `${sm.arn}-other`,
    );

    // Act
    const error = await rejection(wrong.current());

    // Assess
    expect(error.code).toBe("ResourceNotFoundException");
  });

  it("maps an unreachable endpoint to DependencyUnavailableError(network)", async () => {
    // Prepare
    const dead = new SecretsManagerSecretSource(clientFor("secrets-manager", DEAD_ENDPOINT), sm.arn);

    // Act
    const error = await rejection(dead.current());

    // Assess
    expect(error.code).toBe("network");
  });

  it("keeps credentials and secret values out of its errors", async () => {
    // Prepare
    sm.failNext(1, "access-denied");

    // Act
    const error = await rejection(source.current());

    // Assess
    const text = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    expect(text).toContain("AccessDeniedException");
    expect(text).not.toContain(LOCAL_CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(SECRET);
  });
});

describe("Class: EventBridgePublisher (against the fake EventBridge)", () => {
  let eb: FakeEventBridge;
  let failures: PublishFailure[];
  let publisher: EventBridgePublisher;
  const event: StoredEvent = {
    id: EVENT.id,
    type: EVENT.type,
    createdAt: EVENT.created_at,
    body: BODY,
    via: "webhook",
    receivedAtMs: 0,
  };
  beforeEach(async () => {
    eb = await startFakeEventBridge();
    failures = [];
    publisher = new EventBridgePublisher(clientFor("eventbridge", eb.endpoint), "lemon-bus", (f) =>
      failures.push(f),
    );
  });
  afterEach(() => eb.close());

  it("puts one entry: bus, source lemon.markets, detail-type = event type, detail = the stored body, time = created_at", async () => {
    // Act
    const accepted = await publisher.publish([event]);

    // Assess
    expect(accepted).toEqual([true]);
    expect(eb.entries).toEqual([
      {
        eventId: expect.any(String),
        eventBusName: "lemon-bus",
        source: "lemon.markets",
        detailType: "account.created",
        detail: BODY,
        time: 1688049630.523,
      },
    ]);
    expect(eb.putEventsCalls).toBe(1);
  });

  it("puts 23 events with 3 calls of at most 10 entries, in order", async () => {
    // Prepare
    const events = Array.from({ length: 23 }, (_, i) => ({
      ...event,
      id: `evt_${i}`,
      body: JSON.stringify({ i }),
    }));

    // Act
    const accepted = await publisher.publish(events);

    // Assess
    expect(accepted).toEqual(events.map(() => true));
    expect(eb.putEventsCalls).toBe(3);
    expect(eb.entries.map((e) => e.detail)).toEqual(events.map((e) => e.body));
  });

  it.each([
    ["partial", "InternalFailure"],
    ["throttle", "ThrottlingException"],
    ["unavailable", "InternalException"],
  ] as const)("reports a %s PutEvents as not accepted (%s), never throwing", async (fault, code) => {
    // Prepare
    eb.failNext(1, fault);

    // Act
    const accepted = await publisher.publish([event]);

    // Assess
    expect(accepted).toEqual([false]);
    expect(failures).toEqual([{ eventId: EVENT.id, code }]);
    expect(eb.entries).toEqual([]);
  });

  it("reports an entry EventBridge rejects alone (malformed detail) and accepts the others of the call", async () => {
    // Act
    const accepted = await publisher.publish([event, { ...event, id: "evt_bad", body: "not json" }]);

    // Assess
    expect(accepted).toEqual([true, false]);
    expect(failures).toEqual([{ eventId: "evt_bad", code: "MalformedDetail" }]);
  });

  it("reports an unreachable endpoint as not accepted (network)", async () => {
    // Prepare
    const dead = new EventBridgePublisher(clientFor("eventbridge", DEAD_ENDPOINT), "lemon-bus", (f) =>
      failures.push(f),
    );

    // Act
    const accepted = await dead.publish([event]);

    // Assess
    expect(accepted).toEqual([false]);
    expect(failures).toEqual([{ eventId: EVENT.id, code: "network" }]);
  });
});

describe("Local fakes: protocol checks", () => {
  it("refuse unsigned requests as AWS does", async () => {
    // Prepare
    const eb = await startFakeEventBridge();

    // Act
    const response = await fetch(eb.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "AWSEvents.PutEvents", "content-type": "application/x-amz-json-1.1" },
      body: "{}",
    });
    const body = await response.json();
    await eb.close();

    // Assess
    expect(response.status).toBe(400);
    expect(body).toEqual({
      __type: "IncompleteSignatureException",
      message: "requests must be SigV4-signed for events",
    });
    expect(eb.putEventsCalls).toBe(0);
  });
});
