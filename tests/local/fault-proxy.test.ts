/**
 * The fault proxy's causal record, against the fake EventBridge: a late answer and a reset are applied but
 * not delivered, a throttle is delivered and applies nothing, a clean call is both.
 */
import { AwsJsonClient } from "../../lambda/aws/json-client";
import { DependencyUnavailableError } from "../../lambda/core/errors";
import { type FakeEventBridge, startFakeEventBridge } from "../../local/fake-event-bridge";
import {
  EVENTBRIDGE_EFFECTS,
  EVENTBRIDGE_THROTTLE,
  type FaultProxy,
  type FaultRates,
  startFaultProxy,
} from "../../local/fault-proxy";
import { LOCAL_CREDENTIALS } from "../../local/local-dynamo";

describe("Function: startFaultProxy", () => {
  let eb: FakeEventBridge;
  let proxy: FaultProxy;
  let client: AwsJsonClient;

  beforeEach(async () => {
    eb = await startFakeEventBridge();
    proxy = await startFaultProxy({
      target: eb.endpoint,
      seed: 1,
      effects: EVENTBRIDGE_EFFECTS,
      throttle: EVENTBRIDGE_THROTTLE,
      holdMs: 2_000,
    });
    // A client that gives up after 300 ms, as the receiver gives up after 3 s.
    client = new AwsJsonClient({
      dependency: "eventbridge",
      endpoint: new URL(proxy.endpoint),
      region: "eu-central-1",
      credentials: LOCAL_CREDENTIALS,
      timeoutMs: 300,
    });
  });

  afterEach(async () => {
    await proxy.close();
    await eb.close();
  });

  const put = (id: string, rates: FaultRates) => {
    proxy.setRates({ PutEvents: rates });
    const detail = JSON.stringify({ id, type: "order.created" });
    return client
      .call("PutEvents", {
        Entries: [{ Source: "lemon.markets", DetailType: "order.created", Detail: detail }],
      })
      .then(
        (result) => (result.ok ? "ok" : result.errorType),
        (error: unknown) => (error instanceof DependencyUnavailableError ? error.code : String(error)),
      );
  };

  const settled = async () => {
    while (proxy.pending() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it.each([
    ["late", { late: 1 }, "timeout", false, ["evt_1"], 1],
    ["reset", { reset: 1 }, "network", false, ["evt_1"], 1],
    ["throttle", { throttle: 1 }, "ThrottlingException", true, [], 0],
  ] as const)(
    "records a %s call as the oracle reads it",
    async (fault, rates, seen, delivered, applied, onBus) => {
      // Act
      const result = await put("evt_1", rates);
      await settled();

      // Assess
      expect(result).toBe(seen);
      expect(proxy.calls()).toEqual([
        expect.objectContaining({
          operation: "PutEvents",
          keys: ["evt_1"],
          fault,
          delivered,
          applied: [...applied],
        }),
      ]);
      expect(eb.entries).toHaveLength(onBus);
    },
  );

  it("records a clean call as applied and delivered", async () => {
    // Act
    const result = await put("evt_2", {});

    // Assess
    expect(result).toBe("ok");
    const [call] = proxy.calls();
    expect(call).toEqual(
      expect.objectContaining({ keys: ["evt_2"], applied: ["evt_2"], delivered: true, status: 200 }),
    );
    expect(call).not.toHaveProperty("fault");
  });

  it("records an entry EventBridge refused as not applied", async () => {
    // Prepare
    eb.failNext(1, "partial");

    // Act
    await put("evt_3", {});

    // Assess
    expect(proxy.calls()).toEqual([
      expect.objectContaining({ keys: ["evt_3"], applied: [], delivered: true }),
    ]);
  });
});
