import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { locateOperations, sharedProvider } from "../../components/registration";

describe("Function: locateOperations", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-locate-"));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("points at this repository's TypeScript sources when run from them", () => {
    expect(sharedProvider().location).toEqual({
      packageName: "lemon-webhooks",
      operationsModule: "components/registration/operations",
      typescript: true,
    });
  });

  it("uses the nearest package.json as the root and its name", () => {
    // Prepare
    const moduleDir = path.join(dir, "pkg", "lib", "registration");
    fs.mkdirSync(moduleDir, { recursive: true });
    fs.writeFileSync(path.join(dir, "pkg", "package.json"), JSON.stringify({ name: "@acme/lemon-fork" }));

    // Act
    const location = locateOperations(moduleDir, path.join(moduleDir, "provider.js"));

    // Assess
    expect(location).toEqual({
      packageName: "@acme/lemon-fork",
      operationsModule: "lib/registration/operations",
      typescript: false,
    });
  });

  it("fails naming the manifest when the package has no name", () => {
    // Prepare
    fs.writeFileSync(path.join(dir, "package.json"), "{}");

    // Act
    const act = () => locateOperations(dir, path.join(dir, "provider.js"));

    // Assess
    expect(act).toThrow(
      `WebhookRegistration provider: ${path.join(dir, "package.json")} has no package name; reinstall lemon-webhooks`,
    );
  });
});
