import { startEmulator } from "../../emulator";
import { API_KEY, call, goodHeaders, register, SEED_ACCOUNT_BODY, startReceiver } from "../support/emulator";

describe("Emulator: secret hygiene", () => {
  it("never puts the API key or a signature secret into logs, recordings, delivery logs or error bodies", async () => {
    // Prepare
    const lines: string[] = [];
    const emu = await startEmulator({
      apiKeys: [API_KEY],
      log: (line) => lines.push(line),
      delivery: { baseDelayMs: 1, maxAttempts: 3 },
    });
    const hook = await startReceiver((index) => ({ status: index === 0 ? 500 : 200 }));
    const webhook = await register(emu, hook.url, ["account.created"]);
    const other = await register(emu, "http://127.0.0.1:1/refused", ["account.created"]);

    // Act
    const bodies: string[] = [];
    bodies.push((await call(emu, "POST", "/accounts", { body: SEED_ACCOUNT_BODY })).text);
    bodies.push((await call(emu, "GET", "/webhooks", { headers: goodHeaders(other.signature_secret) })).text);
    bodies.push((await call(emu, "GET", "/events")).text);
    bodies.push((await call(emu, "POST", "/webhooks", { body: { url: "nope", events: [] } })).text);
    emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "commitThenDrop" } });
    await call(emu, "GET", "/webhooks").catch(() => undefined);
    await emu.waitForDeliveries();
    const admin = await fetch(emu.baseUrl.replace(/\/v1$/, "/_emulator/deliveries"));
    bodies.push(await admin.text());
    await emu.close();
    await hook.close();

    // Assess
    const everything = [
      ...lines,
      ...bodies,
      JSON.stringify(emu.requests),
      JSON.stringify(emu.deliveries),
    ].join("\n");
    expect(emu.deliveries.length).toBeGreaterThanOrEqual(4);
    expect(lines.some((line) => line.startsWith("GET /v1/webhooks -> 200, then dropped"))).toBe(true);
    for (const secret of [API_KEY, webhook.signature_secret, other.signature_secret]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("does not echo keys in option errors", async () => {
    // Prepare
    const emu = await startEmulator({ apiKeys: [API_KEY] });

    // Act
    const error = (() => {
      try {
        emu.setApiKeys([API_KEY, ""]);
        return undefined;
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    await emu.close();

    // Assess
    expect(error?.message).toBe("keys must be an array of non-empty API key strings");
  });
});
