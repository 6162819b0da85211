import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LemonWebhookReceiver } from "../../../components";
import { defaultBundleDir, findPackageRoot } from "../../../components/shared/bundles";
import {
  fakeBundleDir,
  installMocks,
  KNOWN_API_KEY,
  recordEachTest,
  recorded,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();

const REPO_ROOT = resolve(__dirname, "..", "..", "..");

/** Temporary directories this file made, removed after its tests. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** An installed-package layout: `<app>/node_modules/lemon-webhooks/dist/components/receiver`. */
function installedLayout(): { app: string; packageRoot: string; moduleDir: string } {
  const app = tempDir("lemon-app-");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-infra" }));
  const packageRoot = join(app, "node_modules", "lemon-webhooks");
  const moduleDir = join(packageRoot, "dist", "components", "receiver");
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(join(packageRoot, "package.json"), JSON.stringify({ name: "lemon-webhooks" }));
  return { app, packageRoot, moduleDir };
}

describe("Function: defaultBundleDir", () => {
  it("finds the bundle of this repository from the component sources", () => {
    // Act
    const dir = defaultBundleDir(join(REPO_ROOT, "components", "receiver"));

    // Assess
    expect(dir).toBe(join(REPO_ROOT, "dist", "lambda-bundle", "receiver"));
  });

  it("finds the bundle of an installed package, not the app's root", () => {
    // Prepare
    const { packageRoot, moduleDir } = installedLayout();

    // Act
    const dir = defaultBundleDir(moduleDir);

    // Assess
    expect(dir).toBe(join(packageRoot, "dist", "lambda-bundle", "receiver"));
  });

  it("fails with the fix when no lemon-webhooks package is above", () => {
    // Prepare
    const lonely = tempDir("lemon-none-");

    // Act
    const act = () => findPackageRoot(lonely);

    // Assess
    expect(act).toThrow(
      `Cannot find the lemon-webhooks package root above ${lonely}; pass lambdaBundleDir to LemonWebhookReceiver`,
    );
  });
});

describe("Component: LemonWebhookReceiver without a built bundle", () => {
  const warnings = recordEachTest();

  it("refuses to deploy and says to run npm run build:lambda, registering nothing", async () => {
    // Prepare
    await installMocks(false);
    const empty = tempDir("lemon-empty-");

    // Act
    const act = () =>
      new LemonWebhookReceiver("lemon", { events: ["order.executed"], lambdaBundleDir: empty });

    // Assess
    expect(act).toThrow(
      `The receiver Lambda bundle ${join(empty, "index.js")} does not exist: run "npm run build:lambda" first`,
    );
    await settle();
    expect(recorded).toEqual([]);
  });

  it("refuses to preview too, with the same message, because the engine hashes the archive at registration", async () => {
    // Prepare
    await installMocks(true);
    const empty = tempDir("lemon-empty-");

    // Act
    const act = () =>
      new LemonWebhookReceiver("lemon", { events: ["order.executed"], lambdaBundleDir: empty });

    // Assess
    expect(act).toThrow(
      `The receiver Lambda bundle ${join(empty, "index.js")} does not exist: run "npm run build:lambda" first`,
    );
    await settle();
    expect(warnings()).not.toHaveBeenCalled();
    expect(recorded).toEqual([]);
  });

  it("refuses to preview a receiver whose reconciler bundle is missing, registering nothing", async () => {
    // Prepare
    await installMocks(true);
    const empty = tempDir("lemon-empty-");

    // Act
    const act = () =>
      new LemonWebhookReceiver("lemon", {
        events: ["order.executed"],
        lambdaBundleDir: BUNDLE,
        reconciler: { apiKey: KNOWN_API_KEY, lambdaBundleDir: empty },
      });

    // Assess
    expect(act).toThrow(
      `The reconciler Lambda bundle ${join(empty, "index.js")} does not exist: run "npm run build:lambda" first`,
    );
    await settle();
    expect(recorded).toEqual([]);
  });
});
