/**
 * The API key through the provider host: read from stack config at each operation (env as fallback),
 * rotation between runs, and hygiene — neither the key nor the signature secret appears in `__provider`,
 * in any property not marked secret, in errors or in anything the host prints.
 */
import path from "node:path";
import { startEmulator } from "../../../emulator";
import { API_KEY, RECEIVER_URL } from "../../support/provider-fixture";
import { cleanEnv, type Props, type ProviderHost, startProviderHost } from "../../support/provider-host";
import { declareRegistration } from "../../support/provider-mocks";

const ROTATED_KEY = "lmk_test_rotated_c81d4a7730e2";
const ENV_KEY = "lmk_test_env_only_9b3f06d2";
// Set in this (the program's) process before serialization: nothing of it may reach `__provider`.
const PROGRAM_ENV_KEY = "lmk_test_program_env_77aa01c3";

/** Engine sequence for a new resource on `host`. */
async function checkAndCreate(host: ProviderHost, provider: string, news: Props) {
  const { inputs, failures } = await host.check({}, { ...news, __provider: provider });
  expect(failures).toEqual([]);
  return host.create(inputs);
}

describe("Serialized provider", () => {
  const saved = process.env.LEMON_MARKETS_API_KEY;

  afterEach(() => {
    if (saved === undefined) delete process.env.LEMON_MARKETS_API_KEY;
    else process.env.LEMON_MARKETS_API_KEY = saved;
  });

  it("captures no key from stack config or the environment and stays small", async () => {
    // Prepare
    process.env.LEMON_MARKETS_API_KEY = PROGRAM_ENV_KEY;

    // Act
    const declared = await declareRegistration(
      { url: RECEIVER_URL, events: ["account.created"] },
      {},
      { "lemonmarkets:apiKey": API_KEY },
    );

    // Assess
    const everything = JSON.stringify(declared.inputs);
    for (const secret of [API_KEY, PROGRAM_ENV_KEY]) {
      expect(declared.provider).not.toContain(secret);
      expect(everything).not.toContain(secret);
    }
    expect(declared.provider).toContain('var __provider_location = {packageName: "lemon-webhooks"};');
    // No absolute path (state must work on another machine) and no module captured by value.
    expect(declared.provider).not.toContain(path.resolve(__dirname, "..", ".."));
    expect(declared.provider).not.toMatch(/node_modules|axios|createLemonClient/);
    // A module captured by value would add hundreds of KiB; today the text is about 6 KiB.
    expect(Buffer.byteLength(declared.provider)).toBeLessThan(16 * 1024);
  });
});

describe("Credentials through the provider host", () => {
  let provider: string;

  beforeAll(async () => {
    ({ provider } = await declareRegistration({ url: RECEIVER_URL, events: ["account.created"] }));
  });

  // The second host is configured with the rotated key, as `pulumi up` and `pulumi destroy --run-program`
  // configure it. A plain `pulumi destroy` configures it with the key recorded at the last up instead
  // (tests/engine/key-rotation.test.ts proves both under the real engine).
  it("deletes with the rotated key of a later run configured with it, after the old key stopped working", async () => {
    // Prepare
    const emu = await startEmulator({ apiKeys: [API_KEY] });
    const first = await startProviderHost();
    const news = { url: RECEIVER_URL, events: ["account.created"], apiBaseUrl: emu.baseUrl };
    try {
      await first.configure({ "lemonmarkets:apiKey": API_KEY });
      const { id, properties } = await checkAndCreate(first, provider, news);
      emu.setApiKeys([ROTATED_KEY]);
      await expect(first.delete(id, properties)).rejects.toThrow(
        /HTTP 401 Unauthorized.* If lemonmarkets:apiKey was rotated since the last `pulumi up`: .*, or `pulumi destroy --run-program`$/,
      );
      await first.close();
      const second = await startProviderHost();

      // Act
      try {
        await second.configure({ "lemonmarkets:apiKey": ROTATED_KEY });
        await second.delete(id, properties);
      } finally {
        await second.close();
      }

      // Assess
      expect(emu.webhooks()).toEqual([]);
      expect(
        emu.requests.filter((request) => request.method === "DELETE").map((request) => request.authorized),
      ).toEqual([false, true]);
      expect(JSON.stringify(properties)).not.toContain(API_KEY);
    } finally {
      await first.close();
      await emu.close();
    }
  });

  it("falls back to LEMON_MARKETS_API_KEY when stack config has no key", async () => {
    // Prepare
    const emu = await startEmulator({ apiKeys: [ENV_KEY] });
    const host = await startProviderHost({ env: cleanEnv({ LEMON_MARKETS_API_KEY: ENV_KEY }) });
    try {
      await host.configure({});

      // Act
      const { id } = await checkAndCreate(host, provider, {
        url: RECEIVER_URL,
        events: ["account.created"],
        apiBaseUrl: emu.baseUrl,
      });

      // Assess
      expect(emu.webhooks().map((webhook) => webhook.id)).toEqual([id]);
    } finally {
      await host.close();
      await emu.close();
    }
  });

  it("fails create with the config command to run when no key is configured, calling nothing", async () => {
    // Prepare
    const emu = await startEmulator({ apiKeys: [API_KEY] });
    const host = await startProviderHost();
    try {
      await host.configure({ "other:setting": "x" });

      // Act
      const failure = checkAndCreate(host, provider, {
        url: RECEIVER_URL,
        events: ["account.created"],
        apiBaseUrl: emu.baseUrl,
      });

      // Assess
      await expect(failure).rejects.toThrow(
        "Create failed (gRPC 2): lemon.markets API key missing for WebhookRegistration create: run `pulumi config set --secret lemonmarkets:apiKey <key>` (or set LEMON_MARKETS_API_KEY in the environment)",
      );
      expect(emu.requests).toEqual([]);
    } finally {
      await host.close();
      await emu.close();
    }
  });

  it("keeps the key and the signature secret out of non-secret properties, errors and host output", async () => {
    // Prepare
    const emu = await startEmulator({ apiKeys: [API_KEY] });
    const host = await startProviderHost();
    const errors: string[] = [];
    try {
      await host.configure({ "lemonmarkets:apiKey": API_KEY });
      const news = { url: RECEIVER_URL, events: ["account.created"], apiBaseUrl: emu.baseUrl };

      // Act
      const created = await checkAndCreate(host, provider, news);
      const secret = String(created.properties.signatureSecret);
      const read = await host.read(created.id, created.properties);
      const { inputs } = await host.check(created.properties, {
        ...news,
        privacyPrincipal: "p",
        __provider: provider,
      });
      const updated = await host.update(created.id, created.properties, inputs);
      emu.faults.enqueue({ route: "GET /v1/webhooks", fault: { kind: "status", status: 400 } });
      await host.read(created.id, created.properties).catch((error: Error) => errors.push(error.message));
      emu.faults.enqueue({ route: "POST /v1/webhooks", fault: { kind: "status", status: 422 } });
      await checkAndCreate(host, provider, news).catch((error: Error) => errors.push(error.message));
      emu.setApiKeys(["another-key"]);
      await host.delete(created.id, created.properties).catch((error: Error) => errors.push(error.message));

      // Assess
      expect(secret).toBe(emu.webhooks()[0]?.signature_secret);
      expect(errors).toEqual([
        expect.stringContaining("lemon.markets list_webhooks failed: HTTP 400"),
        expect.stringContaining("lemon.markets refused the registration (HTTP 422"),
        expect.stringContaining("lemon.markets delete_webhook failed: HTTP 401"),
      ]);
      // The host printed the failed read's stack: the grep below looks at real output.
      expect(host.output()).toContain("lemon.markets list_webhooks failed");
      const notSecret = [created.properties, read.properties, read.inputs, updated.properties].map(
        (props) => {
          const { signatureSecret: _secret, ...rest } = props ?? {};
          return JSON.stringify(rest);
        },
      );
      for (const text of [...notSecret, ...errors, host.output()]) {
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(secret);
      }
      expect(read.inputs).not.toHaveProperty("signatureSecret");
      expect(updated.properties.signatureSecret).toBe(secret);
    } finally {
      await host.close();
      await emu.close();
    }
  });
});
