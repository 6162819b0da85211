/**
 * Finds the built receiver bundle — the same file the component uploads to Lambda — and builds it when it
 * is missing (a clone where `npm ci` ran with `--ignore-scripts`, or someone deleted `dist/`) or stale (built
 * from other `lambda/` sources than the checkout's: after a `git pull` or an edit, the walkthrough must run
 * the code that is there now).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { staleBundleMessage } from "../components/shared/bundles";
import { SandboxError } from "./errors";

/** Path of the bundle relative to the repository root. */
export const RECEIVER_BUNDLE = "dist/lambda-bundle/receiver/index.js";
/** Path of the forwarder bundle (the stream's consumer) relative to the repository root. */
export const FORWARDER_BUNDLE = "dist/lambda-bundle/forwarder/index.js";

/** Repository root: this file lives in `<root>/sandbox/`. */
export const REPO_ROOT = path.resolve(__dirname, "..");

const STEP = "building the receiver Lambda bundle";

/**
 * Absolute path of the bundle, running `npm run build:lambda` first if it does not exist or does not match
 * the checkout's `lambda/` sources.
 * @param onBuild called before a build starts, so the caller can say why there is a pause.
 * @throws {SandboxError} when the build fails or produces no bundle, or a stale one.
 */
export function ensureReceiverBundle(root: string = REPO_ROOT, onBuild?: () => void): string {
  return ensureBundle(RECEIVER_BUNDLE, root, onBuild);
}

/** {@link ensureReceiverBundle} for the forwarder bundle (one `npm run build:lambda` builds both). */
export function ensureForwarderBundle(root: string = REPO_ROOT, onBuild?: () => void): string {
  return ensureBundle(FORWARDER_BUNDLE, root, onBuild);
}

function ensureBundle(relative: string, root: string, onBuild?: () => void): string {
  const bundle = path.join(root, relative);
  const dir = path.dirname(bundle);
  if (fs.existsSync(bundle) && staleBundleMessage(dir, root) === undefined) return bundle;
  onBuild?.();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "--silent", "build:lambda"], { cwd: root, encoding: "utf8" });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().slice(-2_000);
    throw new SandboxError(
      STEP,
      `\`npm run build:lambda\` ${result.error === undefined ? `exited with code ${result.status}` : `could not run (${result.error.message})`}${output === "" ? "" : `:\n${output}`}`,
      "Run `npm ci` in the repository root (it builds the bundle), then `npm start` again",
    );
  }
  if (!fs.existsSync(bundle)) {
    throw new SandboxError(
      STEP,
      `\`npm run build:lambda\` succeeded but ${relative} does not exist`,
      "Check scripts/build-lambda.mjs writes the receiver bundle there",
    );
  }
  const stale = staleBundleMessage(dir, root);
  if (stale !== undefined) {
    throw new SandboxError(
      STEP,
      `\`npm run build:lambda\` succeeded but the bundle still does not match the sources: ${stale}`,
      `Check scripts/build-lambda.mjs writes ${path.dirname(relative)}.sources.json`,
    );
  }
  return bundle;
}
