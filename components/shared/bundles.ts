/**
 * Where the built receiver Lambda bundle lives. The component runs from two layouts:
 *  - this repository via ts-node: `<root>/components/receiver/bundle-path.ts`
 *  - an installed package: `node_modules/lemon-webhooks/dist/components/receiver/bundle-path.js`
 * In both the bundle is `<package root>/dist/lambda-bundle/receiver`, so we walk up to the `package.json` named
 * `lemon-webhooks` instead of counting `..` segments (which differ between the two layouts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package whose root holds the bundle. */
export const PACKAGE_NAME = "lemon-webhooks";
/** Bundle directory relative to the package root (written by `npm run build:lambda`). */
export const BUNDLE_RELATIVE_DIR = join("dist", "lambda-bundle", "receiver");
/** The handler file inside the bundle directory (handler string `index.handler`). */
export const BUNDLE_ENTRY_FILE = "index.js";

function packageNameAt(dir: string): string | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" &&
      parsed !== null &&
      "name" in parsed &&
      typeof parsed.name === "string"
      ? parsed.name
      : undefined;
  } catch {
    // A broken package.json on the way up is not ours; keep walking.
    return undefined;
  }
}

/** The nearest directory at or above `start` whose package.json is named `lemon-webhooks`. */
export function findPackageRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find the ${PACKAGE_NAME} package root above ${start}; pass lambdaBundleDir to LemonWebhookReceiver`,
      );
    }
    dir = parent;
  }
}

/** The default bundle directory of the installed (or checked-out) package. */
export function defaultBundleDir(start: string = __dirname): string {
  return join(findPackageRoot(start), BUNDLE_RELATIVE_DIR);
}

/** True when `dir` holds a built bundle. */
export function bundleExists(dir: string): boolean {
  return existsSync(join(dir, BUNDLE_ENTRY_FILE));
}

/** The message for a missing bundle: says where it was expected and how to build it. */
export function missingBundleMessage(dir: string): string {
  return `The receiver Lambda bundle ${join(dir, BUNDLE_ENTRY_FILE)} does not exist: run "npm run build:lambda" first`;
}

/**
 * The record `scripts/build-lambda.mjs` writes beside (not inside: the archive must not change) a bundle
 * directory: `<dir>.sources.json`.
 */
export function sourcesFileOf(dir: string): string {
  return `${dir}.sources.json`;
}

function readSourceHashes(file: string): Record<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || !("inputs" in parsed)) return undefined;
    const { inputs } = parsed;
    if (typeof inputs !== "object" || inputs === null) return undefined;
    const entries = Object.entries(inputs);
    return entries.every(([, hash]) => typeof hash === "string")
      ? (Object.fromEntries(entries) as Record<string, string>)
      : undefined;
  } catch {
    // An unreadable record proves nothing about the bundle: treated like a missing one (rebuild).
    return undefined;
  }
}

/**
 * Why the bundle in `dir` does not match the Lambda sources of the checkout at `root`, or undefined when it
 * matches or there is nothing to compare with. An installed package ships no `lambda/` sources, so its bundle
 * is taken as built; a checkout's bundle must have been built from exactly the sources present now (after a
 * `git pull` or an edit to `lambda/`, the old code would otherwise be deployed without a word).
 */
export function staleBundleMessage(dir: string, root: string): string | undefined {
  if (!existsSync(join(root, "lambda"))) return undefined;
  const bundle = join(dir, BUNDLE_ENTRY_FILE);
  const hashes = readSourceHashes(sourcesFileOf(dir));
  if (hashes === undefined) {
    return `The Lambda bundle ${bundle} has no record of the sources it was built from (${sourcesFileOf(dir)}): run "npm run build:lambda" first`;
  }
  const changed = Object.entries(hashes)
    .filter(([input, hash]) => {
      const file = join(root, input);
      return !existsSync(file) || createHash("sha256").update(readFileSync(file)).digest("hex") !== hash;
    })
    .map(([input]) => input)
    .sort();
  if (changed.length === 0) return undefined;
  return `The Lambda bundle ${bundle} is out of date (${changed.join(", ")} changed since it was built): run "npm run build:lambda" first`;
}

/** What keeps a bundle from deploying: absent (nothing to archive), or present but built from other sources. */
export interface BundleProblem {
  readonly kind: "missing" | "stale";
  readonly message: string;
}

/** The problem of the bundle in `dir`: missing, stale (in a checkout at `root`), or none. */
export function bundleProblemAt(
  dir: string,
  root: string,
  missingMessage: string,
): BundleProblem | undefined {
  if (!bundleExists(dir)) return { kind: "missing", message: missingMessage };
  const stale = staleBundleMessage(dir, root);
  return stale === undefined ? undefined : { kind: "stale", message: stale };
}

/**
 * What keeps the receiver from deploying its bundle, or undefined. `customDir` (the `lambdaBundleDir` argument)
 * is only checked for existence: its sources are the caller's business. The default bundle of a checkout must
 * also match the checkout's `lambda/` sources ({@link staleBundleMessage}).
 */
export function receiverBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  if (customDir !== undefined) {
    return bundleExists(customDir)
      ? undefined
      : { kind: "missing", message: missingBundleMessage(customDir) };
  }
  const root = findPackageRoot(start);
  const dir = join(root, BUNDLE_RELATIVE_DIR);
  return bundleProblemAt(dir, root, missingBundleMessage(dir));
}

/**
 * The one rule for a bundle problem, for every Lambda of the package. A missing bundle stops preview and up
 * alike, before anything is registered: the engine hashes every `FileArchive` when its resource is registered,
 * in preview too, so the preview would otherwise fail later with an engine error that names no fix. A stale
 * bundle stops `up`; in a preview it is returned, to be logged as a warning, so the rest of the diff still shows.
 *
 * @throws Error with the problem's message (which names `npm run build:lambda`).
 */
export function enforceBundle(problem: BundleProblem | undefined, dryRun: boolean): string | undefined {
  if (problem === undefined) return undefined;
  if (problem.kind === "missing" || !dryRun) throw new Error(problem.message);
  return problem.message;
}

/**
 * The bundle problem of one of the package's Lambdas (`label`, e.g. "forwarder"), whose default bundle is
 * `<package root>/<relativeDir>`: a `customDir` is only checked for existence (its sources are the caller's
 * business); the default bundle of a checkout must also match the checkout's sources.
 */
export function packageBundleProblem(
  label: string,
  relativeDir: string,
  customDir: string | undefined,
  start: string,
): BundleProblem | undefined {
  const missing = (dir: string) =>
    `The ${label} Lambda bundle ${join(dir, BUNDLE_ENTRY_FILE)} does not exist: run "npm run build:lambda" first`;
  if (customDir !== undefined) {
    return bundleExists(customDir) ? undefined : { kind: "missing", message: missing(customDir) };
  }
  const root = findPackageRoot(start);
  const dir = join(root, relativeDir);
  return bundleProblemAt(dir, root, missing(dir));
}
