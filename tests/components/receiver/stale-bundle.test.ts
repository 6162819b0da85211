/**
 * A checkout's receiver bundle must be built from the `lambda/` sources present now: after a `git pull` or an
 * edit, `pulumi up` refuses the old bundle (preview warns). scripts/build-lambda.mjs records each input's
 * SHA-256 beside the bundle directory; an installed package has no sources and is not checked.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "../../../components";
import * as actualBundlePath from "../../../components/shared/bundles";
import { installMocks, recorded, resetRecords, settle } from "../../support/pulumi-mocks";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const { receiverBundleProblem, staleBundleMessage, sourcesFileOf } = actualBundlePath;

// The component looks for its default bundle from its own directory; point that at a temporary checkout.
let mockModuleDir: string | undefined;
jest.mock("../../../components/shared/bundles", () => {
  const actual = jest.requireActual("../../../components/shared/bundles") as typeof actualBundlePath;
  return {
    ...actual,
    receiverBundleProblem: (customDir?: string) => actual.receiverBundleProblem(customDir, mockModuleDir),
  };
});

const SOURCES: Record<string, string> = {
  "lambda/receiver/main.ts": 'export { handler } from "./handler";\n',
  "lambda/receiver/handler.ts": "export const handler = async () => ({ statusCode: 200 });\n",
};

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A package root laid out like this repository after `npm run build:lambda`, optionally without sources. */
function layout(withSources: boolean): { root: string; bundleDir: string; moduleDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-stale-bundle-"));
  const bundleDir = path.join(root, "dist", "lambda-bundle", "receiver");
  const moduleDir = path.join(root, withSources ? "components" : "dist/components", "receiver");
  fs.mkdirSync(bundleDir, { recursive: true });
  fs.mkdirSync(moduleDir, { recursive: true });
  fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "lemon-webhooks" }));
  fs.writeFileSync(
    path.join(bundleDir, "index.js"),
    "exports.handler = async () => ({ statusCode: 200 });\n",
  );
  const inputs = Object.fromEntries(Object.entries(SOURCES).map(([file, text]) => [file, sha256(text)]));
  fs.writeFileSync(sourcesFileOf(bundleDir), JSON.stringify({ entry: "lambda/receiver/main.ts", inputs }));
  if (withSources) {
    fs.mkdirSync(path.join(root, "lambda"));
    for (const [file, text] of Object.entries(SOURCES)) fs.writeFileSync(path.join(root, file), text);
  }
  return { root, bundleDir, moduleDir };
}

const roots: string[] = [];
function tracked<T extends { root: string }>(value: T): T {
  roots.push(value.root);
  return value;
}
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

describe("Function: staleBundleMessage", () => {
  it("accepts the bundles this repository's build just wrote (the script and the check agree)", () => {
    // Act (jest's globalSetup ran scripts/build-lambda.mjs)
    const receiver = staleBundleMessage(path.join(REPO_ROOT, "dist", "lambda-bundle", "receiver"), REPO_ROOT);
    const reconciler = staleBundleMessage(
      path.join(REPO_ROOT, "dist", "lambda-bundle", "reconciler"),
      REPO_ROOT,
    );
    const forwarder = staleBundleMessage(
      path.join(REPO_ROOT, "dist", "lambda-bundle", "forwarder"),
      REPO_ROOT,
    );

    // Assess
    expect(receiver).toBeUndefined();
    expect(reconciler).toBeUndefined();
    expect(forwarder).toBeUndefined();
  });

  it("accepts a bundle built from exactly the checkout's sources", () => {
    // Prepare
    const { root, bundleDir } = tracked(layout(true));

    // Act
    const message = staleBundleMessage(bundleDir, root);

    // Assess
    expect(message).toBeUndefined();
  });

  it("names every source edited or deleted since the build", () => {
    // Prepare
    const { root, bundleDir } = tracked(layout(true));
    fs.appendFileSync(path.join(root, "lambda/receiver/handler.ts"), "// edited\n");
    fs.rmSync(path.join(root, "lambda/receiver/main.ts"));

    // Act
    const message = staleBundleMessage(bundleDir, root);

    // Assess
    expect(message).toBe(
      `The Lambda bundle ${path.join(bundleDir, "index.js")} is out of date (lambda/receiver/handler.ts, lambda/receiver/main.ts ` +
        'changed since it was built): run "npm run build:lambda" first',
    );
  });

  it("refuses a checkout's bundle that has no record of its sources", () => {
    // Prepare
    const { root, bundleDir } = tracked(layout(true));
    fs.rmSync(sourcesFileOf(bundleDir));

    // Act
    const message = staleBundleMessage(bundleDir, root);

    // Assess
    expect(message).toBe(
      `The Lambda bundle ${path.join(bundleDir, "index.js")} has no record of the sources it was built from ` +
        `(${bundleDir}.sources.json): run "npm run build:lambda" first`,
    );
  });

  it("skips the check in an installed package, which ships no lambda/ sources", () => {
    // Prepare
    const { root, bundleDir } = tracked(layout(false));
    fs.rmSync(sourcesFileOf(bundleDir));

    // Act
    const message = staleBundleMessage(bundleDir, root);

    // Assess
    expect(message).toBeUndefined();
  });
});

describe("Function: receiverBundleProblem", () => {
  it("only checks that a custom lambdaBundleDir holds index.js", () => {
    // Prepare
    const { bundleDir, moduleDir } = tracked(layout(true));
    fs.rmSync(sourcesFileOf(bundleDir));
    const empty = tracked({ root: fs.mkdtempSync(path.join(os.tmpdir(), "lemon-empty-")) }).root;

    // Act
    const custom = receiverBundleProblem(bundleDir, moduleDir);
    const missing = receiverBundleProblem(empty, moduleDir);

    // Assess
    expect(custom).toBeUndefined();
    expect(missing).toEqual({
      kind: "missing",
      message: `The receiver Lambda bundle ${path.join(empty, "index.js")} does not exist: run "npm run build:lambda" first`,
    });
  });
});

describe("Component: LemonWebhookReceiver with a stale default bundle", () => {
  let warn: jest.SpyInstance;
  let expected: string;
  beforeEach(() => {
    resetRecords();
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const { root, bundleDir, moduleDir } = tracked(layout(true));
    mockModuleDir = moduleDir;
    fs.appendFileSync(path.join(root, "lambda/receiver/handler.ts"), "// pulled\n");
    expected =
      `The Lambda bundle ${path.join(bundleDir, "index.js")} is out of date (lambda/receiver/handler.ts changed since it ` +
      'was built): run "npm run build:lambda" first';
  });
  afterEach(() => {
    warn.mockRestore();
  });

  it("refuses to deploy, naming the changed source and the fix, and registers nothing", async () => {
    // Prepare
    await installMocks(false);

    // Act
    const act = () => new LemonWebhookReceiver("lemon", { events: ["order.executed"] });

    // Assess
    expect(act).toThrow(expected);
    await settle();
    expect(recorded).toEqual([]);
  });

  it("previews with the same message as a warning", async () => {
    // Prepare
    await installMocks(true);

    // Act
    new LemonWebhookReceiver("lemon", { events: ["order.executed"] });
    await settle();

    // Assess
    expect(warn.mock.calls.map(([message]) => message)).toEqual([expected]);
    // The receiver's (stale, warned about) and the forwarder's (this checkout's, fresh) are both previewed.
    expect(
      recorded
        .filter((r) => r.type === "aws:lambda/function:Function")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["lemon-forwarder", "lemon-receiver"]);
  });
});
