/**
 * The one answer to "where is the package root, is it a checkout or an installed package, and where are the
 * built artefacts?" (components/shared/package-layout.ts), for this repository and for an installed layout.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { USAGE } from "../../../cli/args";
import { WebhookRegistrationProvider } from "../../../components/registration";
import {
  ARTEFACTS,
  type Artefact,
  BUNDLE_ENTRY_FILE,
  builtPath,
  findPackageRoot,
  isCheckout,
  LAMBDA_NAMES,
  moduleToLoad,
  sourcePath,
} from "../../../components/shared/package-layout";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const EVERY_ARTEFACT = Object.keys(ARTEFACTS).sort() as Artefact[];

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * `<app>/node_modules/lemon-webhooks` as npm installs it: package.json and the build only (what `files`
 * publishes), inside an app with a package.json of its own.
 */
function installedLayout(): { app: string; packageRoot: string } {
  const app = tempDir("lemon-layout-app-");
  write(path.join(app, "package.json"), JSON.stringify({ name: "my-infra" }));
  const packageRoot = path.join(app, "node_modules", "lemon-webhooks");
  write(path.join(packageRoot, "package.json"), JSON.stringify({ name: "lemon-webhooks" }));
  for (const artefact of EVERY_ARTEFACT) {
    const built = builtPath(packageRoot, artefact);
    const bundle = (LAMBDA_NAMES as readonly string[]).includes(artefact);
    write(bundle ? path.join(built, BUNDLE_ENTRY_FILE) : built, "");
  }
  write(path.join(packageRoot, "dist", "components", "shared", "package-layout.js"), "");
  return { app, packageRoot };
}

describe("Function: findPackageRoot", () => {
  it("finds this repository from its component sources", () => {
    // Act
    const root = findPackageRoot(path.join(REPO_ROOT, "components", "shared"));

    // Assess
    expect(root).toBe(REPO_ROOT);
  });

  it("finds an installed package from its build, not the app that installed it", () => {
    // Prepare
    const { packageRoot } = installedLayout();

    // Act
    const root = findPackageRoot(path.join(packageRoot, "dist", "components", "shared"));

    // Assess
    expect(root).toBe(packageRoot);
  });

  it("walks past a package.json that cannot be parsed", () => {
    // Prepare
    const { packageRoot } = installedLayout();
    const nested = path.join(packageRoot, "dist", "components");
    write(path.join(nested, "package.json"), "{ not json");

    // Act
    const root = findPackageRoot(path.join(nested, "shared"));

    // Assess
    expect(root).toBe(packageRoot);
  });

  it("fails naming the start directory and the caller's way out when no lemon-webhooks package is above", () => {
    // Prepare
    const lonely = tempDir("lemon-layout-none-");

    // Act
    const act = () => findPackageRoot(lonely, "run it from a checkout");

    // Assess
    expect(act).toThrow(
      `Cannot find the lemon-webhooks package root above ${lonely}; run it from a checkout`,
    );
  });
});

describe("Function: isCheckout", () => {
  it("says this repository is a checkout for every artefact", () => {
    // Act
    const answers = EVERY_ARTEFACT.map((artefact) => [artefact, isCheckout(REPO_ROOT, artefact)]);

    // Assess
    expect(answers).toEqual(EVERY_ARTEFACT.map((artefact) => [artefact, true]));
  });

  it("says an installed package (build only) is no checkout for any artefact", () => {
    // Prepare
    const { packageRoot } = installedLayout();

    // Act
    const answers = EVERY_ARTEFACT.map((artefact) => [artefact, isCheckout(packageRoot, artefact)]);

    // Assess
    expect(answers).toEqual(EVERY_ARTEFACT.map((artefact) => [artefact, false]));
  });
});

describe("Function: builtPath and sourcePath", () => {
  it("places every artefact where package.json publishes it", () => {
    // Prepare
    const root = path.join(os.tmpdir(), "some-root");

    // Act
    const built = Object.fromEntries(EVERY_ARTEFACT.map((artefact) => [artefact, builtPath(root, artefact)]));
    const sources = Object.fromEntries(
      EVERY_ARTEFACT.map((artefact) => [artefact, sourcePath(root, artefact)]),
    );

    // Assess
    expect(built).toEqual({
      cli: path.join(root, "dist", "cli", "main.js"),
      forwarder: path.join(root, "dist", "lambda-bundle", "forwarder"),
      operations: path.join(root, "dist", "components", "registration", "operations.js"),
      receiver: path.join(root, "dist", "lambda-bundle", "receiver"),
      reconciler: path.join(root, "dist", "lambda-bundle", "reconciler"),
    });
    expect(sources).toEqual({
      cli: path.join(root, "cli", "main.ts"),
      forwarder: path.join(root, "lambda"),
      operations: path.join(root, "components", "registration", "operations.ts"),
      receiver: path.join(root, "lambda"),
      reconciler: path.join(root, "lambda"),
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      files: string[];
    };
    expect(
      ["dist/cli", "dist/lambda-bundle", "dist/components"].filter((dir) => !manifest.files.includes(dir)),
    ).toEqual([]);
  });

  it("names the bundles scripts/build-lambda.mjs writes (jest's globalSetup just ran it)", () => {
    // Act
    const missing = LAMBDA_NAMES.filter(
      (name) =>
        !fs.existsSync(path.join(builtPath(REPO_ROOT, name), BUNDLE_ENTRY_FILE)) ||
        !fs.existsSync(`${builtPath(REPO_ROOT, name)}.sources.json`),
    );

    // Assess
    expect([...LAMBDA_NAMES]).toEqual(["receiver", "forwarder", "reconciler"]);
    expect(missing).toEqual([]);
  });
});

describe("Function: moduleToLoad", () => {
  it("loads the TypeScript sources of a checkout", () => {
    // Act
    const modules = [moduleToLoad(REPO_ROOT, "cli"), moduleToLoad(REPO_ROOT, "operations")];

    // Assess
    expect(modules).toEqual([
      path.join(REPO_ROOT, "cli", "main.ts"),
      path.join(REPO_ROOT, "components", "registration", "operations.ts"),
    ]);
  });

  it("loads the build of an installed package", () => {
    // Prepare
    const { packageRoot } = installedLayout();

    // Act
    const modules = [moduleToLoad(packageRoot, "cli"), moduleToLoad(packageRoot, "operations")];

    // Assess
    expect(modules).toEqual([
      path.join(packageRoot, "dist", "cli", "main.js"),
      path.join(packageRoot, "dist", "components", "registration", "operations.js"),
    ]);
  });
});

describe("Contract: the registration provider's own copy of the operations paths", () => {
  it("tries exactly the source and build paths the layout names (it cannot import them: see provider.ts)", () => {
    // Prepare
    const method = WebhookRegistrationProvider.prototype.operations.toString();

    // Act
    const source = ARTEFACTS.operations.source.replace(/\.ts$/, "");

    // Assess
    expect(method).toContain(JSON.stringify(source));
    expect(method).toContain(JSON.stringify(ARTEFACTS.operations.built));
  });
});

describe("Launcher: bin/lemon-webhooks.js in a checkout", () => {
  it("runs the CLI the layout names (the installed build is tests/consumer/installed.test.ts's)", () => {
    // Act
    const stdout = execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "lemon-webhooks.js"), "send-test-event", "--help"],
      { cwd: os.tmpdir(), encoding: "utf8" },
    );

    // Assess
    expect(stdout).toBe(USAGE.endsWith("\n") ? USAGE : `${USAGE}\n`);
  });
});
