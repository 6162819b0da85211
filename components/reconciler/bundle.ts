/**
 * Where the reconciler bundle lives and what keeps it from deploying: the same rules as the receiver's
 * (`../receiver/bundle-path.ts`): `dist/lambda-bundle/reconciler` of the package, built by
 * `npm run build:lambda`, and in a checkout built from exactly the `lambda/` sources present now.
 */
import { join } from "node:path";
import { type BundleProblem, findPackageRoot, packageBundleProblem } from "../shared/bundles";

/** Bundle directory relative to the package root. */
export const RECONCILER_BUNDLE_RELATIVE_DIR = join("dist", "lambda-bundle", "reconciler");

/** The default bundle directory of the installed (or checked-out) package. */
export function defaultReconcilerBundleDir(start: string = __dirname): string {
  return join(findPackageRoot(start), RECONCILER_BUNDLE_RELATIVE_DIR);
}

/**
 * Why the bundle cannot be deployed, or undefined. A `customDir` is only checked for existence; the default
 * bundle of a checkout must also match the checkout's sources.
 */
export function reconcilerBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  return packageBundleProblem("reconciler", RECONCILER_BUNDLE_RELATIVE_DIR, customDir, start);
}
