/**
 * Where the forwarder bundle lives and what keeps it from deploying: the same rules as the receiver's
 * (`./bundle-path.ts`): `dist/lambda-bundle/forwarder` of the package, built by `npm run build:lambda`, and in a
 * checkout built from exactly the `lambda/` sources present now.
 */
import { join } from "node:path";
import { type BundleProblem, findPackageRoot, packageBundleProblem } from "../shared/bundles";

/** Bundle directory relative to the package root. */
export const FORWARDER_BUNDLE_RELATIVE_DIR = join("dist", "lambda-bundle", "forwarder");

/** The default bundle directory of the installed (or checked-out) package. */
export function defaultForwarderBundleDir(start: string = __dirname): string {
  return join(findPackageRoot(start), FORWARDER_BUNDLE_RELATIVE_DIR);
}

/**
 * Why the forwarder bundle cannot be deployed, or undefined. A `customDir` (the `forwarderBundleDir`
 * argument) is only checked for existence; the default bundle of a checkout must also match its sources.
 */
export function forwarderBundleProblem(
  customDir?: string,
  start: string = __dirname,
): BundleProblem | undefined {
  return packageBundleProblem("forwarder", FORWARDER_BUNDLE_RELATIVE_DIR, customDir, start);
}
