import { type Emulator, type FaultRoute, startEmulator } from "../../emulator";
import { API_KEY, call, register } from "../support/emulator";

const HOOK = { url: "https://example.com/lemon", events: ["account.created"] };

/** The error fetch rejects with when the server drops the socket. */
async function dropped(emu: Emulator, method: string, path: string, body?: unknown): Promise<string> {
  return call(emu, method, path, { body }).then(
    (response) => `answered ${response.status}`,
    (error: Error & { cause?: { code?: string } }) => `${error.message}: ${error.cause?.code}`,
  );
}

describe("Emulator: fault injection", () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], seed: 3 });
  });

  afterEach(async () => {
    await emu.close();
  });

  it("answers an enqueued status fault with a {message} body without performing the operation", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 500 } });

    // Act
    const faulted = await call(emu, "POST", "/webhooks", { body: HOOK });
    const next = await call(emu, "POST", "/webhooks", { body: HOOK });

    // Assess
    expect([faulted.status, faulted.json]).toEqual([500, { message: "injected fault: HTTP 500" }]);
    expect(next.status).toBe(201);
    expect(emu.webhooks()).toEqual([next.json]);
  });

  it("applies a fault exactly `times` times, then answers normally", async () => {
    // Prepare
    emu.faults.enqueue({ route: "GET /v1/events", fault: { kind: "status", status: 502 }, times: 2 });

    // Act
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await call(emu, "GET", "/events")).status);

    // Assess
    expect(statuses).toEqual([502, 502, 200]);
  });

  it("leaves other routes alone", async () => {
    // Prepare
    emu.faults.enqueue({ route: "GET /v1/events", fault: { kind: "status", status: 500 } });

    // Act
    const webhooks = await call(emu, "GET", "/webhooks");
    const events = await call(emu, "GET", "/events");

    // Assess
    expect([webhooks.status, events.status]).toEqual([200, 500]);
  });

  it("answers retryAfter with 429 and a Retry-After header, creating nothing", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/accounts", fault: { kind: "retryAfter", seconds: 3 } });

    // Act
    const response = await call(emu, "POST", "/accounts", { body: "{}" });

    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.json).toEqual({ message: "Too Many Requests (injected fault)" });
    expect(emu.events()).toEqual([]);
  });

  it("answers a slow fault late but performs the operation", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "slow", ms: 150 } });
    const started = performance.now();

    // Act
    const response = await call(emu, "POST", "/webhooks", { body: HOOK });

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(148);
    expect(response.status).toBe(201);
    expect(emu.webhooks()).toEqual([response.json]);
  });

  it("commitThenDrop on POST /v1/webhooks creates the webhook but drops the socket unanswered", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "commitThenDrop" } });

    // Act
    const outcome = await dropped(emu, "POST", "/webhooks", HOOK);

    // Assess
    expect(outcome).toBe("fetch failed: UND_ERR_SOCKET");
    expect(emu.webhooks().map(({ url, events }) => ({ url, events }))).toEqual([HOOK]);
  });

  it("commitThenDrop on DELETE /v1/webhooks/:id deletes the webhook but drops the socket unanswered", async () => {
    // Prepare
    const webhook = await register(emu, HOOK.url, HOOK.events);
    emu.faults.enqueue({ route: "DELETE /v1/webhooks/:id", fault: { kind: "commitThenDrop" } });

    // Act
    const outcome = await dropped(emu, "DELETE", `/webhooks/${webhook.id}`);

    // Assess
    expect(outcome).toBe("fetch failed: UND_ERR_SOCKET");
    expect(emu.webhooks()).toEqual([]);
  });

  it("commitThenDrop on POST /v1/accounts opens the account and emits account.created", async () => {
    // Prepare
    emu.faults.enqueue({ route: "POST /v1/accounts", fault: { kind: "commitThenDrop" } });
    const body = {
      customer: { type: "person", id: "pers_1" },
      accepted_agreements: [{ agreement_id: "agr_1", accepted_at: "2023-06-29T14:39:29Z" }],
      declaration_of_acting_on_own_account: true,
    };

    // Act
    const outcome = await dropped(emu, "POST", "/accounts", body);

    // Assess
    expect(outcome).toBe("fetch failed: UND_ERR_SOCKET");
    expect(emu.events().map((event) => event.type)).toEqual(["account.created"]);
  });

  it("lets enqueued faults win over random ones and clear() remove both", async () => {
    // Prepare
    emu.faults.random({ rate: 1, kinds: ["status"] });
    emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 418 } });

    // Act
    const first = await call(emu, "GET", "/webhooks");
    const second = await call(emu, "GET", "/webhooks");
    emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 418 } });
    emu.faults.clear();
    const third = await call(emu, "GET", "/webhooks");

    // Assess
    expect([first.status, second.status, third.status]).toEqual([418, 503, 200]);
  });

  it("faults the same requests for the same seed in random mode, and only on the given routes", async () => {
    // Prepare
    const other = await startEmulator({ apiKeys: [API_KEY], seed: 99 });
    const routes: FaultRoute[] = ["GET /v1/events"];
    emu.faults.random({ rate: 0.5, kinds: [{ kind: "status", status: 500 }], seed: 5, routes });
    other.faults.random({ rate: 0.5, kinds: [{ kind: "status", status: 500 }], seed: 5, routes });

    // Act
    const statuses = await Promise.all(
      [emu, other].map(async (instance) => {
        const seen: number[] = [];
        for (let index = 0; index < 20; index += 1)
          seen.push((await call(instance, "GET", "/events")).status);
        return seen;
      }),
    );
    const untouched = await call(emu, "GET", "/webhooks");
    await other.close();

    // Assess
    expect(statuses[1]).toEqual(statuses[0]);
    expect(new Set(statuses[0])).toEqual(new Set([200, 500]));
    expect(untouched.status).toBe(200);
  });

  it("never faults with rate 0", async () => {
    // Prepare
    emu.faults.random({ rate: 0, kinds: ["status", "commitThenDrop"] });

    // Act
    const statuses = [];
    for (let index = 0; index < 10; index += 1) statuses.push((await call(emu, "GET", "/events")).status);

    // Assess
    expect(statuses).toEqual(Array(10).fill(200));
  });

  it.each([
    [
      { route: "GET /v1/nope", fault: { kind: "status", status: 500 } },
      "route must be one of POST /v1/webhooks",
    ],
    [
      { route: "GET /v1/events", fault: { kind: "status", status: 200 } },
      'fault must be {kind:"status", status: 400..599}',
    ],
    [{ route: "GET /v1/events", fault: { kind: "explode" } }, "fault must be"],
    [{ route: "GET /v1/events", fault: { kind: "slow", ms: -1 } }, "fault must be"],
    [
      { route: "GET /v1/events", fault: { kind: "commitThenDrop" }, times: 0 },
      "times must be a positive integer",
    ],
  ])("rejects the malformed fault %j naming the field", (fault, message) => {
    // Act
    const enqueue = () => emu.faults.enqueue(fault as never);

    // Assess
    expect(enqueue).toThrow(message);
  });

  it.each([
    [{ rate: 2, kinds: ["status"] }, "rate must be a number from 0 to 1"],
    [{ rate: 0.5, kinds: [] }, "kinds must be a non-empty array"],
    [{ rate: 0.5, kinds: ["teleport"] }, "kinds[0] must be one of status, retryAfter, slow, commitThenDrop"],
    [{ rate: 0.5, kinds: ["slow"], routes: ["GET /v2/x"] }, "routes[0] must be one of"],
  ])("rejects the random fault options %j naming the field", (options, message) => {
    // Act
    const random = () => emu.faults.random(options as never);

    // Assess
    expect(random).toThrow(message);
  });
});
