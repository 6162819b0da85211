import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { locateOperations, sharedProvider } from "../../../components/registration";

describe("Function: locateOperations", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-locate-"));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("records only this package's name: no path or source kind for state to freeze", () => {
    expect(sharedProvider().location).toEqual({ packageName: "lemon-webhooks" });
  });

  it("uses the nearest package.json as the root and its name", () => {
    // Prepare
    const moduleDir = path.join(dir, "pkg", "lib", "registration");
    fs.mkdirSync(moduleDir, { recursive: true });
    fs.writeFileSync(path.join(dir, "pkg", "package.json"), JSON.stringify({ name: "@acme/lemon-fork" }));

    // Act
    const location = locateOperations(moduleDir);

    // Assess
    expect(location).toEqual({ packageName: "@acme/lemon-fork" });
  });

  it("fails naming the manifest when the package has no name", () => {
    // Prepare
    fs.writeFileSync(path.join(dir, "package.json"), "{}");

    // Act
    const act = () => locateOperations(dir);

    // Assess
    expect(act).toThrow(
      `WebhookRegistration provider: ${path.join(dir, "package.json")} has no package name; reinstall lemon-webhooks`,
    );
  });
});
