/**
 * Where the reconciler bundle lives and what keeps it from deploying: the same rules as the receiver's
 * (`../receiver/bundle-path.ts`): `dist/lambda-bundle/reconciler` of the package, built by
 * `npm run build:lambda`, and in a checkout built from exactly the `lambda/` sources present now.
 */
import { join } from "node:path";
import {
  BUNDLE_ENTRY_FILE,
  type BundleProblem,
  bundleExists,
  bundleProblemAt,
  findPackageRoot,
} from "../receiver/bundle-path";

/** Bundle directory relative to the package root. */
export const RECONCILER_BUNDLE_RELATIVE_DIR = join("dist", "lambda-bundle", "reconciler");

/** The default bundle directory of the installed (or checked-out) package. */
export function defaultReconcilerBundleDir(start: string = __dirname): string {
  return join(findPackageRoot(start), RECONCILER_BUNDLE_RELATIVE_DIR);
}

function missing(dir: string): string {
  return `The reconciler Lambda bundle ${join(dir, BUNDLE_ENTRY_FILE)} does not exist: run "npm run build:lambda" first`;
}

/**
 * Why the bundle cannot be deployed, or undefined. A `customDir` is only checked for existence; the default
 * bundle of a checkout must also match the checkout's sources.
 */
export function reconcilerBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  if (customDir !== undefined) {
    return bundleExists(customDir) ? undefined : { kind: "missing", message: missing(customDir) };
  }
  const root = findPackageRoot(start);
  const dir = join(root, RECONCILER_BUNDLE_RELATIVE_DIR);
  return bundleProblemAt(dir, root, missing(dir));
}
