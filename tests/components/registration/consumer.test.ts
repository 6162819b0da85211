/**
 * The provider as another Pulumi program gets it: lemon-webhooks installed from exactly the files `npm pack`
 * publishes (compiled JavaScript, no devDependencies) in the program's node_modules, the host started in the
 * program's directory, no TypeScript anywhere.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { locateOperations, WebhookRegistrationProvider } from "../../../components/registration";
import { type Emulator, startEmulator } from "../../../emulator";
import { type InstalledApp, installIntoTempApp } from "../../support/install";
import { API_KEY, RECEIVER_URL } from "../../support/provider-fixture";
import { cleanEnv, type ProviderHost, startProviderHost } from "../../support/provider-host";

let app: InstalledApp;
let registrationDir: string;
let emu: Emulator;
let host: ProviderHost;

beforeAll(async () => {
  // Prepare: <tmp>/node_modules/lemon-webhooks/dist/components/registration/operations.js, as published
  app = installIntoTempApp();
  registrationDir = path.join(app.packageDir, "dist", "components", "registration");
  emu = await startEmulator({ apiKeys: [API_KEY] });
  host = await startProviderHost({ cwd: app.appDir, env: cleanEnv() });
  await host.configure({ "lemonmarkets:apiKey": API_KEY });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await emu?.close();
  app?.remove();
});

describe("Provider installed from node_modules", () => {
  it("records the installed package's name from the compiled module's directory", () => {
    // Act
    const location = locateOperations(registrationDir);

    // Assess
    expect(location).toEqual({ packageName: "lemon-webhooks" });
  });

  it("creates and deletes through a host running in the consumer's directory", async () => {
    // Prepare
    const provider = new WebhookRegistrationProvider(locateOperations(registrationDir));
    // The same serialization `pulumi.dynamic.Resource` applies to its provider.
    const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const news = {
      url: RECEIVER_URL,
      events: ["account.created"],
      apiBaseUrl: emu.baseUrl,
      __provider: text,
    };

    // Act
    const { inputs, failures } = await host.check({}, news);
    const { id, properties } = await host.create(inputs);
    const during = emu.webhooks().map((webhook) => webhook.id);
    await host.delete(id, properties);

    // Assess
    expect(failures).toEqual([]);
    expect(during).toEqual([id]);
    expect(emu.webhooks()).toEqual([]);
    expect(text).not.toContain(app.appDir);
    expect(host.output()).not.toContain(API_KEY);
  });
});
