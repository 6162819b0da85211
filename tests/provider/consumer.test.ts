/**
 * The provider as another Pulumi program gets it: lemon-webhooks installed (compiled JavaScript) in the
 * program's node_modules, the host started in the program's directory, no TypeScript anywhere.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { build } from "esbuild";
import { locateOperations, WebhookRegistrationProvider } from "../../components/registration";
import { type Emulator, startEmulator } from "../../emulator";
import { API_KEY, RECEIVER_URL } from "./fixture";
import { cleanEnv, type ProviderHost, startProviderHost } from "./harness";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

let consumerDir: string;
let registrationDir: string;
let emu: Emulator;
let host: ProviderHost;

beforeAll(async () => {
  // Prepare: <tmp>/consumer-stack/node_modules/lemon-webhooks/dist/components/registration/operations.js
  consumerDir = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-consumer-"));
  fs.writeFileSync(
    path.join(consumerDir, "package.json"),
    JSON.stringify({ name: "consumer-stack", private: true }),
  );
  const packageDir = path.join(consumerDir, "node_modules", "lemon-webhooks");
  registrationDir = path.join(packageDir, "dist", "components", "registration");
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  fs.mkdirSync(registrationDir, { recursive: true });
  fs.writeFileSync(
    path.join(packageDir, "package.json"),
    JSON.stringify({ name: manifest.name, exports: manifest.exports }),
  );
  await build({
    entryPoints: [path.join(REPO_ROOT, "components", "registration", "operations.ts")],
    outfile: path.join(registrationDir, "operations.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["axios", "@pulumi/pulumi"],
    logLevel: "silent",
  });
  emu = await startEmulator({ apiKeys: [API_KEY] });
  // The consumer's dependencies (axios, @pulumi/pulumi) come from this repo's node_modules.
  host = await startProviderHost({
    cwd: consumerDir,
    env: cleanEnv({ NODE_PATH: path.join(REPO_ROOT, "node_modules") }),
  });
  await host.configure({ "lemonmarkets:apiKey": API_KEY });
});

afterAll(async () => {
  await host?.close();
  await emu?.close();
  fs.rmSync(consumerDir, { recursive: true, force: true });
});

describe("Provider installed from node_modules", () => {
  it("locates the compiled operations module relative to the installed package", () => {
    // Act
    const location = locateOperations(registrationDir, path.join(registrationDir, "provider.js"));

    // Assess
    expect(location).toEqual({
      packageName: "lemon-webhooks",
      operationsModule: "dist/components/registration/operations",
      typescript: false,
    });
  });

  it("creates and deletes through a host running in the consumer's directory", async () => {
    // Prepare
    const location = locateOperations(registrationDir, path.join(registrationDir, "provider.js"));
    const provider = new WebhookRegistrationProvider(location);
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
    expect(text).not.toContain(consumerDir);
  });
});
