/**
 * `npm start` runs the receiver bundle the component would deploy; it builds it when it is missing and
 * rebuilds it when the checkout's `lambda/` sources changed since it was built.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureReceiverBundle } from "../../sandbox/bundle";
import { SandboxError } from "../../sandbox/errors";

const SOURCE = "lambda/receiver/main.ts";

/**
 * A build:lambda that counts its runs in `builds.log`, writes the bundle and, unless `recordSources` is
 * false, the sources record scripts/build-lambda.mjs writes.
 */
function buildScript(recordSources: boolean): string {
  return `const fs = require("node:fs");
const hash = require("node:crypto").createHash("sha256").update(fs.readFileSync(${JSON.stringify(SOURCE)})).digest("hex");
fs.appendFileSync("builds.log", "built\\n");
fs.mkdirSync("dist/lambda-bundle/receiver", { recursive: true });
fs.writeFileSync("dist/lambda-bundle/receiver/index.js", "exports.handler = async () => ({ statusCode: 200 });\\n");
${recordSources ? "" : "if (false) "}fs.writeFileSync("dist/lambda-bundle/receiver.sources.json", JSON.stringify({ inputs: { ${JSON.stringify(SOURCE)}: hash } }));
`;
}

function checkout(recordSources = true): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-sandbox-bundle-"));
  fs.writeFileSync(
    path.join(root, "package.json"),
    JSON.stringify({ name: "lemon-webhooks", scripts: { "build:lambda": "node build.js" } }),
  );
  fs.writeFileSync(path.join(root, "build.js"), buildScript(recordSources));
  fs.mkdirSync(path.join(root, "lambda"));
  fs.writeFileSync(path.join(root, SOURCE), "export const handler = async () => ({ statusCode: 200 });\n");
  return root;
}

function builds(root: string): number {
  const log = path.join(root, "builds.log");
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;
}

describe("Function: ensureReceiverBundle", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  it("builds a missing bundle once, then reuses it while the sources are unchanged", () => {
    // Prepare
    const root = checkout();
    roots.push(root);
    const onBuild = jest.fn();

    // Act
    const first = ensureReceiverBundle(root, onBuild);
    const second = ensureReceiverBundle(root, onBuild);

    // Assess
    expect(first).toBe(path.join(root, "dist", "lambda-bundle", "receiver", "index.js"));
    expect(second).toBe(first);
    expect(builds(root)).toBe(1);
    expect(onBuild).toHaveBeenCalledTimes(1);
  });

  it("rebuilds after a source under lambda/ changed", () => {
    // Prepare
    const root = checkout();
    roots.push(root);
    ensureReceiverBundle(root);
    fs.appendFileSync(path.join(root, SOURCE), "// after git pull\n");
    const onBuild = jest.fn();

    // Act
    const bundle = ensureReceiverBundle(root, onBuild);

    // Assess
    expect(bundle).toBe(path.join(root, "dist", "lambda-bundle", "receiver", "index.js"));
    expect(builds(root)).toBe(2);
    expect(onBuild).toHaveBeenCalledTimes(1);
    const hash = createHash("sha256")
      .update(fs.readFileSync(path.join(root, SOURCE)))
      .digest("hex");
    expect(
      JSON.parse(fs.readFileSync(path.join(root, "dist", "lambda-bundle", "receiver.sources.json"), "utf8")),
    ).toEqual({ inputs: { [SOURCE]: hash } });
  });

  it("fails naming the step and the fix when the build leaves the bundle unmatched to its sources", () => {
    // Prepare
    const root = checkout(false);
    roots.push(root);
    const bundle = path.join(root, "dist", "lambda-bundle", "receiver", "index.js");

    // Act
    const act = () => ensureReceiverBundle(root);

    // Assess
    expect(act).toThrow(SandboxError);
    expect(act).toThrow(
      "building the receiver Lambda bundle failed: `npm run build:lambda` succeeded but the bundle still does " +
        `not match the sources: The Lambda bundle ${bundle} has no record of the sources it was built from ` +
        `(${path.dirname(bundle)}.sources.json): run "npm run build:lambda" first. ` +
        "Check scripts/build-lambda.mjs writes dist/lambda-bundle/receiver.sources.json",
    );
  });
});
