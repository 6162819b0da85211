/**
 * The one table of Lambda bundle locations (components/shared/bundles.ts): every bundle of the package found
 * the same way, and a missing one named in its refusal.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleDir, bundleProblem, LAMBDA_NAMES } from "../../../components/shared/bundles";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe("Function: bundleDir", () => {
  it("finds each bundle of an installed package under its dist/lambda-bundle", () => {
    // Prepare
    const packageRoot = path.join(tempDir("lemon-bundles-app-"), "node_modules", "lemon-webhooks");
    const moduleDir = path.join(packageRoot, "dist", "components", "shared");
    fs.mkdirSync(moduleDir, { recursive: true });
    fs.writeFileSync(path.join(packageRoot, "package.json"), JSON.stringify({ name: "lemon-webhooks" }));

    // Act
    const dirs = LAMBDA_NAMES.map((name) => bundleDir(name, moduleDir));

    // Assess
    expect(dirs).toEqual([
      path.join(packageRoot, "dist", "lambda-bundle", "receiver"),
      path.join(packageRoot, "dist", "lambda-bundle", "forwarder"),
      path.join(packageRoot, "dist", "lambda-bundle", "reconciler"),
    ]);
  });
});

describe("Function: bundleProblem", () => {
  it("accepts every default bundle of this checkout (jest's globalSetup just built them)", () => {
    // Act
    const problems = LAMBDA_NAMES.map((name) =>
      bundleProblem(name, undefined, path.join(REPO_ROOT, "components")),
    );

    // Assess
    expect(problems).toEqual([undefined, undefined, undefined]);
  });

  it("refuses a custom directory without a bundle, naming the Lambda and the fix", () => {
    // Prepare
    const empty = tempDir("lemon-bundles-empty-");

    // Act
    const problems = LAMBDA_NAMES.map((name) => bundleProblem(name, empty));

    // Assess
    expect(problems).toEqual(
      LAMBDA_NAMES.map((name) => ({
        kind: "missing",
        message: `The ${name} Lambda bundle ${path.join(empty, "index.js")} does not exist: run "npm run build:lambda" first`,
      })),
    );
  });
});
