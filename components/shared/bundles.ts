/**
 * Where the built Lambda bundles live and what keeps one from deploying, for every Lambda of the package (one
 * table: {@link bundleDir}). In a checkout and in an installed package alike a bundle is
 * `<package root>/dist/lambda-bundle/<name>` (components/shared/package-layout.ts finds the root); in a checkout
 * it must also have been built from exactly the `lambda/` sources present now (content hashes recorded by
 * scripts/build-lambda.mjs).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ARTEFACTS,
  BUNDLE_ENTRY_FILE,
  builtPath,
  findPackageRoot,
  isCheckout,
  type LambdaName,
} from "./package-layout";

export {
  BUNDLE_ENTRY_FILE,
  findPackageRoot,
  LAMBDA_NAMES,
  type LambdaName,
  PACKAGE_NAME,
} from "./package-layout";

/** Receiver bundle directory relative to the package root (written by `npm run build:lambda`). */
export const BUNDLE_RELATIVE_DIR = join(...ARTEFACTS.receiver.built.split("/"));
/** Reconciler bundle directory relative to the package root. */
export const RECONCILER_BUNDLE_RELATIVE_DIR = join(...ARTEFACTS.reconciler.built.split("/"));
/** Forwarder bundle directory relative to the package root. */
export const FORWARDER_BUNDLE_RELATIVE_DIR = join(...ARTEFACTS.forwarder.built.split("/"));

/** The default directory of the `name` bundle in the installed (or checked-out) package containing `start`. */
export function bundleDir(name: LambdaName, start: string = __dirname): string {
  return builtPath(findPackageRoot(start), name);
}

/** The default receiver bundle directory ({@link bundleDir}). */
export function defaultBundleDir(start: string = __dirname): string {
  return bundleDir("receiver", start);
}

/** The default forwarder bundle directory ({@link bundleDir}). */
export function defaultForwarderBundleDir(start: string = __dirname): string {
  return bundleDir("forwarder", start);
}

/** The default reconciler bundle directory ({@link bundleDir}). */
export function defaultReconcilerBundleDir(start: string = __dirname): string {
  return bundleDir("reconciler", start);
}

/** True when `dir` holds a built bundle. */
export function bundleExists(dir: string): boolean {
  return existsSync(join(dir, BUNDLE_ENTRY_FILE));
}

/** The message for a missing `name` bundle: says where it was expected and how to build it. */
export function missingBundleMessage(dir: string, name: LambdaName = "receiver"): string {
  return `The ${name} Lambda bundle ${join(dir, BUNDLE_ENTRY_FILE)} does not exist: run "npm run build:lambda" first`;
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
  // The bundles share their sources (ARTEFACTS): any bundle's entry answers for all of them.
  if (!isCheckout(root, "receiver")) return undefined;
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
 * What keeps the `name` bundle from deploying, or undefined. A `customDir` (the component's `lambdaBundleDir`
 * or `forwarderBundleDir` argument) is only checked for existence: its sources are the caller's business. The
 * default bundle of a checkout must also match the checkout's `lambda/` sources ({@link staleBundleMessage}).
 */
export function bundleProblem(
  name: LambdaName,
  customDir: string | undefined,
  start: string = __dirname,
): BundleProblem | undefined {
  const missing = (dir: string) => missingBundleMessage(dir, name);
  if (customDir !== undefined) {
    return bundleExists(customDir) ? undefined : { kind: "missing", message: missing(customDir) };
  }
  const root = findPackageRoot(start);
  const dir = builtPath(root, name);
  return bundleProblemAt(dir, root, missing(dir));
}

/** {@link bundleProblem} of the receiver bundle. */
export function receiverBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  return bundleProblem("receiver", customDir, start);
}

/** {@link bundleProblem} of the forwarder bundle. */
export function forwarderBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  return bundleProblem("forwarder", customDir, start);
}

/** {@link bundleProblem} of the reconciler bundle. */
export function reconcilerBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  return bundleProblem("reconciler", customDir, start);
}
