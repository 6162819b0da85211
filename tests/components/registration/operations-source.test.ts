/**
 * Which implementation the serialized provider runs, decided in the provider host's process (plain Node, no
 * TypeScript loader) from the program's directory and nothing stored in state: a checkout runs its sources
 * even when its `dist/` holds an older build; an installed package runs its build, whatever an older
 * provider version recorded about paths or TypeScript.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type ProviderLocation, WebhookRegistrationProvider } from "../../../components/registration";
import { cleanEnv, ProviderCallError, startProviderHost } from "../../support/provider-host";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const NEWS = { url: "https://receiver.example.com/hook", events: ["account.created"] };

/** An operations module whose `check` tells where it was loaded from. */
function fakeOperations(marker: string, typescript: boolean): string {
  return typescript
    ? `export function configure(): void {}\nexport function check(news: Record<string, unknown>): { inputs: Record<string, unknown> } {\n  const from: string = ${JSON.stringify(marker)};\n  return { inputs: { ...news, loadedFrom: from } };\n}\n`
    : `exports.configure = () => {};\nexports.check = (news) => ({ inputs: { ...news, loadedFrom: ${JSON.stringify(marker)} } });\n`;
}

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

/** Check through a host started in `cwd`, with the provider serialized as `pulumi up` serializes it. */
async function checkFrom(cwd: string, location: ProviderLocation): Promise<Record<string, unknown>> {
  const provider = new WebhookRegistrationProvider(location);
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const host = await startProviderHost({ cwd, env: cleanEnv() });
  try {
    await host.configure({});
    const { inputs } = await host.check({}, { ...NEWS, __provider: text });
    return inputs;
  } finally {
    await host.close();
  }
}

describe("Provider: which operations module the host loads", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-ops-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs a checkout's TypeScript sources, never its possibly stale dist build", async () => {
    // Prepare: a checkout with both, and ts-node from this repository's devDependencies
    write(dir, "package.json", JSON.stringify({ name: "lemon-webhooks" }));
    write(
      dir,
      "tsconfig.json",
      JSON.stringify({ compilerOptions: { module: "commonjs", target: "ES2022" } }),
    );
    write(dir, "components/registration/operations.ts", fakeOperations("checkout sources", true));
    write(dir, "dist/components/registration/operations.js", fakeOperations("stale build", false));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");

    // Act
    const inputs = await checkFrom(dir, { packageName: "lemon-webhooks" });

    // Assess
    expect(inputs.loadedFrom).toBe("checkout sources");
  });

  it("runs an installed package's build even when the stored location names TypeScript sources", async () => {
    // Prepare: what the provider of an older version stored, run from an app with the package installed
    write(dir, "package.json", JSON.stringify({ name: "my-infra" }));
    write(dir, "node_modules/lemon-webhooks/package.json", JSON.stringify({ name: "lemon-webhooks" }));
    write(
      dir,
      "node_modules/lemon-webhooks/dist/components/registration/operations.js",
      fakeOperations("installed build", false),
    );
    const stored = {
      packageName: "lemon-webhooks",
      operationsModule: "components/registration/operations",
      typescript: true,
    } as ProviderLocation;

    // Act
    const inputs = await checkFrom(dir, stored);

    // Assess
    expect(inputs.loadedFrom).toBe("installed build");
  });

  it("fails naming the package, the paths tried and the fix when neither exists", async () => {
    // Prepare
    write(dir, "package.json", JSON.stringify({ name: "my-infra" }));

    // Act
    const act = checkFrom(dir, { packageName: "lemon-webhooks" });

    // Assess
    await expect(act).rejects.toThrow(ProviderCallError);
    await expect(act).rejects.toThrow(
      `WebhookRegistration provider: cannot find lemon-webhooks/dist/components/registration/operations.js ` +
        `(or the checkout's components/registration/operations.ts) from ${fs.realpathSync(dir)}; ` +
        "install lemon-webhooks in the Pulumi program's project (npm install lemon-webhooks)",
    );
  });
});
