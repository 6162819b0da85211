/**
 * The compatibility contract of the registration provider (components/registration/provider.ts): provider
 * code stored in users' state loads the implementation from these two paths and calls these functions, so
 * moving, renaming or dropping any of them breaks refresh and destroy of existing stacks.
 */
import fs from "node:fs";
import path from "node:path";
import { WebhookRegistrationProvider } from "../../../components/registration";
import * as operations from "../../../components/registration/operations";

const ROOT = path.resolve(__dirname, "..", "..");
const SOURCE = "components/registration/operations.ts";
const BUILT = "dist/components/registration/operations.js";
const FUNCTIONS = ["check", "configure", "create", "diff", "read", "remove", "update"];

describe("Contract: where the registration provider finds its implementation", () => {
  it("loads from exactly the checkout's source path and the installed package's build path", () => {
    // Act
    const method = WebhookRegistrationProvider.prototype.operations.toString();

    // Assess
    expect(method).toContain('"components/registration/operations"');
    expect(method).toContain('"dist/components/registration/operations.js"');
    expect(fs.existsSync(path.join(ROOT, SOURCE))).toBe(true);
  });

  it("finds the functions it calls exported by the sources", () => {
    // Assess
    expect(Object.keys(operations).sort()).toEqual(FUNCTIONS);
  });

  it("finds the same functions in the build that package.json publishes", () => {
    // Prepare (jest's globalSetup rebuilt dist/ if any source was newer)
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      files: string[];
    };

    // Act
    const built = require(path.join(ROOT, BUILT)) as Record<string, unknown>;

    // Assess
    expect(manifest.files).toContain("dist/components");
    expect(Object.keys(built).sort()).toEqual(FUNCTIONS);
    expect(FUNCTIONS.filter((name) => typeof built[name] !== "function")).toEqual([]);
  });
});
